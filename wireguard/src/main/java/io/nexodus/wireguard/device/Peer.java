package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.key.X25519;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.crypto.PresharedKey;
import io.nexodus.wireguard.crypto.TransportCipher;
import java.io.IOException;
import java.security.InvalidKeyException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote peer: its keys, endpoint, sessions (previous/current/next keypairs), staged packets, counters and timers
 * (wireguard-go {@code peer.go}, {@code keypair.go}, {@code timers.go} and the per-peer parts of {@code send.go}).
 */
final class Peer {
    private static final Logger log = LoggerFactory.getLogger(Peer.class);
    static final int MAX_STAGED = 128;
    private static final long JITTER_MAX_NANOS = 334_000_000L;

    final Device device;
    final NodePublicKey publicKey;
    final byte[] publicKeyBytes;
    /** HASH(H0 || peer public key): our starting hash when we initiate to this peer. */
    final byte[] initiatorHash;

    final CookieGenerator cookieGenerator;
    final Handshake handshake = new Handshake();

    /** DH(our static private, peer static public), or null when it is zero or we have no private key. */
    volatile byte[] staticStatic;

    volatile byte[] presharedKey = new byte[32];
    volatile int persistentKeepaliveSeconds;
    volatile Endpoint endpoint;

    private final Object keypairLock = new Object();
    volatile Keypair current;
    volatile Keypair previous;
    volatile Keypair next;

    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();
    private volatile int stagedCount;

    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    volatile Instant lastHandshake;

    final Timer retransmitHandshake;
    final Timer sendKeepaliveTimer;
    final Timer newHandshake;
    final Timer zeroKeyMaterial;
    final Timer persistentKeepalive;
    final AtomicInteger handshakeAttempts = new AtomicInteger();
    volatile boolean needAnotherKeepalive;
    volatile boolean sentLastMinuteHandshake;
    volatile boolean stopped;

    Peer(Device device, NodePublicKey publicKey) {
        this.device = device;
        this.publicKey = publicKey;
        this.publicKeyBytes = publicKey.toRaw();
        this.initiatorHash = NoiseProtocol.initialHash(publicKeyBytes);
        this.cookieGenerator = new CookieGenerator(publicKeyBytes, device.scheduler, device.timings);
        Scheduler s = device.scheduler;
        this.retransmitHandshake = new Timer(s, this::expiredRetransmitHandshake);
        this.sendKeepaliveTimer = new Timer(s, this::expiredSendKeepalive);
        this.newHandshake = new Timer(s, this::expiredNewHandshake);
        this.zeroKeyMaterial = new Timer(s, this::expiredZeroKeyMaterial);
        this.persistentKeepalive = new Timer(s, this::expiredPersistentKeepalive);
    }

    /**
     * Recomputes the static-static DH after a private key change; null (no handshake possible) without a private key
     * or when the peer's key is a small-order point.
     */
    void setStaticStatic(byte[] ourPrivateKey) {
        synchronized (handshake) {
            try {
                staticStatic = ourPrivateKey == null ? null : X25519.sharedSecret(ourPrivateKey, publicKeyBytes);
            } catch (InvalidKeyException e) {
                staticStatic = null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- data path

    /**
     * Prepares packet {@code i} of {@code batch} (an IP packet at offset {@link PacketBatch#HEADROOM}) for encryption
     * in place: takes the next counter, pads, writes the transport header and addresses it to our endpoint; the seal
     * itself happens later (possibly on another thread) from what is recorded in {@code work}. Returns false when the
     * packet has to wait for a handshake instead (no usable session, or packets already waiting, which go first).
     */
    boolean prepareSeal(PacketBatch batch, int i, BatchWork work, int mtu, long now) {
        if (stagedCount != 0) {
            return false;
        }
        Keypair kp = current;
        if (kp == null || kp.ageNanos(now) >= device.rejectAfterTimeNanos) {
            return false;
        }
        long nonce = kp.sendNonce.getAndIncrement();
        if (Long.compareUnsigned(nonce, device.timings.rejectAfterMessages()) >= 0) {
            return false;
        }
        Endpoint ep = endpoint;
        if (ep == null) {
            device.drop(DropReason.NO_ENDPOINT);
            batch.drop(i);
            return true;
        }
        byte[] buf = batch.buffer(i);
        int len = batch.length(i);
        int padding = Messages.paddingFor(len, mtu);
        int start = PacketBatch.HEADROOM;
        if (start + len + padding + Messages.TAG_SIZE > buf.length) {
            padding = 0;
        }
        Arrays.fill(buf, start + len, start + len + padding, (byte) 0);
        writeHeader(buf, 0, kp.remoteIndex, nonce);
        int total = Messages.TRANSPORT_HEADER_SIZE + len + padding + Messages.TAG_SIZE;
        batch.set(i, 0, total, ep);
        work.keys[i] = kp.sendKey;
        work.counters[i] = nonce;
        work.lengths[i] = len + padding;
        txBytes.addAndGet(total);
        return true;
    }

    /** Bookkeeping for a run of authenticated transport packets from this peer (once per batch per peer). */
    void afterReceive(long bytes, boolean data, Endpoint from) {
        setEndpointFromPacket(from);
        keepKeyFreshReceiving();
        timersAnyAuthenticatedPacketTraversal();
        timersAnyAuthenticatedPacketReceived();
        rxBytes.addAndGet(bytes);
        if (data) {
            timersDataReceived();
        }
    }

    /** Timer and rekey bookkeeping after data packets went out (once per batch per peer). */
    void afterDataSent() {
        timersAnyAuthenticatedPacketTraversal();
        timersAnyAuthenticatedPacketSent();
        timersDataSent();
        keepKeyFreshSending();
    }

    static void writeHeader(byte[] buf, int off, int receiver, long counter) {
        buf[off] = Messages.TYPE_TRANSPORT;
        buf[off + 1] = 0;
        buf[off + 2] = 0;
        buf[off + 3] = 0;
        Messages.putLe32(buf, off + Messages.DATA_RECEIVER, receiver);
        Messages.putLe64(buf, off + Messages.DATA_COUNTER, counter);
    }

    /** Queues a copy of an IP packet (or an empty keepalive) until a session exists; the oldest is dropped past 128. */
    void stage(byte[] buf, int off, int len) {
        byte[] copy = Arrays.copyOfRange(buf, off, off + len);
        synchronized (staged) {
            if (staged.size() >= MAX_STAGED) {
                staged.pollFirst();
                device.drop(DropReason.STAGED_OVERFLOW);
            }
            staged.addLast(copy);
            stagedCount = staged.size();
        }
    }

    void flushStaged() {
        synchronized (staged) {
            for (int i = staged.size(); i > 0; i--) {
                device.drop(DropReason.STAGED_OVERFLOW);
            }
            staged.clear();
            stagedCount = 0;
        }
    }

    /** Sends staged packets if a usable session exists, else starts a handshake (wireguard-go SendStagedPackets). */
    void sendStagedPackets() {
        if (stopped) {
            return;
        }
        boolean sentData = false;
        boolean sentAny = false;
        synchronized (staged) {
            outer:
            while (!staged.isEmpty()) {
                Keypair kp = current;
                long now = device.scheduler.nanoTime();
                if (kp == null
                        || Long.compareUnsigned(kp.sendNonce.get(), device.timings.rejectAfterMessages()) >= 0
                        || kp.ageNanos(now) >= device.rejectAfterTimeNanos) {
                    break;
                }
                Endpoint ep = endpoint;
                TransportCipher cipher = device.coldCipher();
                while (!staged.isEmpty()) {
                    long nonce = kp.sendNonce.getAndIncrement();
                    if (Long.compareUnsigned(nonce, device.timings.rejectAfterMessages()) >= 0) {
                        continue outer;
                    }
                    byte[] p = staged.pollFirst();
                    stagedCount = staged.size();
                    if (ep == null) {
                        device.drop(DropReason.NO_ENDPOINT);
                        continue;
                    }
                    int padding = Messages.paddingFor(p.length, device.mtu());
                    byte[] out = new byte[Messages.TRANSPORT_HEADER_SIZE + p.length + padding + Messages.TAG_SIZE];
                    System.arraycopy(p, 0, out, Messages.TRANSPORT_HEADER_SIZE, p.length);
                    int sealed =
                            cipher.seal(kp.sendKey, nonce, out, Messages.TRANSPORT_HEADER_SIZE, p.length + padding);
                    writeHeader(out, 0, kp.remoteIndex, nonce);
                    sendDatagram(ep, out, Messages.TRANSPORT_HEADER_SIZE + sealed);
                    sentAny = true;
                    sentData |= p.length > 0;
                }
            }
        }
        if (sentAny) {
            timersAnyAuthenticatedPacketTraversal();
            timersAnyAuthenticatedPacketSent();
            if (sentData) {
                timersDataSent();
            }
            keepKeyFreshSending();
        }
        if (stagedCount != 0) {
            sendHandshakeInitiation(false);
        }
    }

    void sendKeepalive() {
        if (stopped) {
            return;
        }
        synchronized (staged) {
            if (staged.isEmpty()) {
                staged.addLast(new byte[0]);
                stagedCount = 1;
            }
        }
        sendStagedPackets();
    }

    private void sendDatagram(Endpoint ep, byte[] msg, int len) {
        try {
            device.bind.send(ep, msg, 0, len);
            txBytes.addAndGet(len);
        } catch (IOException | RuntimeException e) {
            device.drop(DropReason.SEND_FAILED);
            log.debug("{}: send to {} failed: {}", this, ep, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------- handshakes

    void sendHandshakeInitiation(boolean isRetry) {
        if (stopped) {
            return;
        }
        if (!isRetry) {
            handshakeAttempts.set(0);
        }
        long now = device.scheduler.nanoTime();
        synchronized (handshake) {
            if (handshake.anySent
                    && now - handshake.lastSentHandshake
                            < device.timings.rekeyTimeout().toNanos()) {
                return;
            }
            handshake.lastSentHandshake = now;
            handshake.anySent = true;
        }
        byte[] msg = device.noise.createInitiation(this);
        if (msg == null) {
            return;
        }
        cookieGenerator.addMacs(msg, Messages.INIT_MAC1);
        timersAnyAuthenticatedPacketTraversal();
        timersAnyAuthenticatedPacketSent();
        Endpoint ep = endpoint;
        if (ep != null) {
            sendDatagram(ep, msg, msg.length);
        } else {
            device.drop(DropReason.NO_ENDPOINT);
        }
        timersHandshakeInitiated();
    }

    void sendHandshakeResponse() {
        synchronized (handshake) {
            handshake.lastSentHandshake = device.scheduler.nanoTime();
            handshake.anySent = true;
        }
        byte[] msg = device.noise.createResponse(this);
        if (msg == null) {
            return;
        }
        cookieGenerator.addMacs(msg, Messages.RESP_MAC1);
        if (device.noise.beginSymmetricSession(this) == null) {
            return;
        }
        timersSessionDerived();
        timersAnyAuthenticatedPacketTraversal();
        timersAnyAuthenticatedPacketSent();
        Endpoint ep = endpoint;
        if (ep != null) {
            sendDatagram(ep, msg, msg.length);
        }
    }

    /** Installs a fresh keypair (wireguard-go BeginSymmetricSession's rotation). */
    void installKeypair(Keypair kp) {
        synchronized (keypairLock) {
            Keypair prev = previous;
            Keypair nxt = next;
            Keypair cur = current;
            if (kp.initiator) {
                if (nxt != null) {
                    next = null;
                    previous = nxt;
                    device.deleteKeypair(cur);
                } else {
                    previous = cur;
                }
                device.deleteKeypair(prev);
                current = kp;
            } else {
                next = kp;
                device.deleteKeypair(nxt);
                previous = null;
                device.deleteKeypair(prev);
            }
        }
    }

    /** The responder's switch to {@code next} on its first packet; true if this packet confirmed the session. */
    boolean receivedWithKeypair(Keypair kp) {
        if (next != kp) {
            return false;
        }
        synchronized (keypairLock) {
            if (next != kp) {
                return false;
            }
            Keypair old = previous;
            previous = current;
            device.deleteKeypair(old);
            current = kp;
            next = null;
            return true;
        }
    }

    /** Marks every session as used up so the next packet starts a handshake (after a private key change). */
    void expireCurrentKeypairs() {
        synchronized (handshake) {
            if (handshake.hasLocalIndex) {
                device.indexTable.delete(handshake.localIndex);
            }
            handshake.clear();
            handshake.anySent = false;
        }
        synchronized (keypairLock) {
            long limit = device.timings.rejectAfterMessages();
            for (Keypair kp : new Keypair[] {current, next}) {
                if (kp != null) {
                    kp.sendNonce.set(limit);
                }
            }
        }
    }

    /** Erases every session and the handshake, and drops staged packets. */
    void zeroAndFlushAll() {
        synchronized (keypairLock) {
            device.deleteKeypair(previous);
            device.deleteKeypair(current);
            device.deleteKeypair(next);
            previous = null;
            current = null;
            next = null;
        }
        synchronized (handshake) {
            if (handshake.hasLocalIndex) {
                device.indexTable.delete(handshake.localIndex);
            }
            handshake.clear();
        }
        flushStaged();
    }

    void setEndpointFromPacket(Endpoint from) {
        Endpoint current = endpoint;
        if (from != null && from != current && !from.equals(current)) {
            endpoint = from;
        }
    }

    /** Removal: stop timers, erase sessions. */
    void stop() {
        stopped = true;
        retransmitHandshake.stop();
        sendKeepaliveTimer.stop();
        newHandshake.stop();
        zeroKeyMaterial.stop();
        persistentKeepalive.stop();
        zeroAndFlushAll();
    }

    // ---------------------------------------------------------------------------------------------- timers

    private long jitter() {
        return ThreadLocalRandom.current().nextLong(JITTER_MAX_NANOS);
    }

    void timersDataSent() {
        if (!newHandshake.isPending()) {
            newHandshake.mod(device.timings.keepaliveTimeout().toNanos()
                    + device.timings.rekeyTimeout().toNanos()
                    + jitter());
        }
    }

    void timersDataReceived() {
        if (!sendKeepaliveTimer.isPending()) {
            sendKeepaliveTimer.mod(device.timings.keepaliveTimeout().toNanos());
        } else {
            needAnotherKeepalive = true;
        }
    }

    void timersAnyAuthenticatedPacketSent() {
        sendKeepaliveTimer.del();
    }

    void timersAnyAuthenticatedPacketReceived() {
        newHandshake.del();
    }

    void timersHandshakeInitiated() {
        retransmitHandshake.mod(device.timings.rekeyTimeout().toNanos() + jitter());
    }

    void timersHandshakeComplete() {
        retransmitHandshake.del();
        handshakeAttempts.set(0);
        sentLastMinuteHandshake = false;
        lastHandshake = device.scheduler.now();
    }

    void timersSessionDerived() {
        zeroKeyMaterial.mod(device.timings.rejectAfterTime().toNanos() * 3);
    }

    void timersAnyAuthenticatedPacketTraversal() {
        int interval = persistentKeepaliveSeconds;
        if (interval > 0) {
            persistentKeepalive.mod(interval * 1_000_000_000L);
        }
    }

    private void expiredRetransmitHandshake() {
        if (stopped) {
            return;
        }
        if (handshakeAttempts.get() > device.timings.maxHandshakeAttempts()) {
            log.debug("{}: handshake did not complete after {} attempts, giving up", this, handshakeAttempts.get());
            sendKeepaliveTimer.del();
            flushStaged();
            if (!zeroKeyMaterial.isPending()) {
                zeroKeyMaterial.mod(device.timings.rejectAfterTime().toNanos() * 3);
            }
            return;
        }
        handshakeAttempts.incrementAndGet();
        log.debug(
                "{}: handshake did not complete after {}, retrying (try {})",
                this,
                device.timings.rekeyTimeout(),
                handshakeAttempts.get() + 1);
        sendHandshakeInitiation(true);
    }

    private void expiredSendKeepalive() {
        sendKeepalive();
        if (needAnotherKeepalive) {
            needAnotherKeepalive = false;
            sendKeepaliveTimer.mod(device.timings.keepaliveTimeout().toNanos());
        }
    }

    private void expiredNewHandshake() {
        log.debug("{}: retrying handshake because we stopped hearing back", this);
        sendHandshakeInitiation(false);
    }

    private void expiredZeroKeyMaterial() {
        log.debug(
                "{}: erasing session keys after {} without a new handshake",
                this,
                device.timings.rejectAfterTime().multipliedBy(3));
        zeroAndFlushAll();
    }

    private void expiredPersistentKeepalive() {
        if (persistentKeepaliveSeconds > 0) {
            sendKeepalive();
        }
    }

    /** Starts a handshake if the current session is due for a rekey (after sending). */
    void keepKeyFreshSending() {
        Keypair kp = current;
        if (kp == null) {
            return;
        }
        long nonce = kp.sendNonce.get();
        long age = kp.ageNanos(device.scheduler.nanoTime());
        if (Long.compareUnsigned(nonce, device.timings.rekeyAfterMessages()) > 0
                || (kp.initiator && age > device.timings.rekeyAfterTime().toNanos())) {
            sendHandshakeInitiation(false);
        }
    }

    /** Starts a handshake if the session we initiated is about to expire (after receiving). */
    void keepKeyFreshReceiving() {
        if (sentLastMinuteHandshake) {
            return;
        }
        Keypair kp = current;
        if (kp != null
                && kp.initiator
                && kp.ageNanos(device.scheduler.nanoTime())
                        > device.rejectAfterTimeNanos
                                - device.timings.keepaliveTimeout().toNanos()
                                - device.timings.rekeyTimeout().toNanos()) {
            sentLastMinuteHandshake = true;
            sendHandshakeInitiation(false);
        }
    }

    PeerStats stats() {
        byte[] psk = presharedKey;
        boolean noPsk = true;
        for (byte b : psk) {
            noPsk &= b == 0;
        }
        return new PeerStats(
                publicKey,
                noPsk ? null : PresharedKey.fromRaw(psk),
                endpoint,
                lastHandshake,
                rxBytes.get(),
                txBytes.get(),
                device.allowedIps.prefixesOf(this),
                persistentKeepaliveSeconds);
    }

    @Override
    public String toString() {
        String k = publicKey.toBase64();
        return "peer(" + k.substring(0, 4) + "…" + k.substring(39, 43) + ")";
    }
}
