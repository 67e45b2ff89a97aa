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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote peer: its keys, endpoint, staged packets and counters, and the per-peer parts of sending (wireguard-go's
 * {@code peer.go} and the per-peer parts of {@code send.go}); its sessions are {@link Keypairs}, its protocol timers
 * {@link PeerTimers}.
 * <p>
 * Threads: the packet threads use the sessions and the endpoint without locks (volatile fields); staging, sending staged packets and handshake state are guarded by their own monitors, because
 * they are reached from the packet, handshake, timer and configuration threads alike.
 */
final class Peer {
    private static final Logger log = LoggerFactory.getLogger(Peer.class);
    static final int MAX_STAGED = 128;
    /**
     * Ciphers for the cold paths (staged packets, keepalives), one per thread. Shared by all devices on a thread: a
     * seal completes within one call, so uses never interleave.
     */
    private static final ThreadLocal<TransportCipher> COLD_CIPHERS = ThreadLocal.withInitial(TransportCipher::new);

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

    final Keypairs keypairs;

    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();
    private volatile int stagedCount;

    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    volatile Instant lastHandshake;

    final PeerTimers timers;
    volatile boolean stopped;

    Peer(Device device, NodePublicKey publicKey) {
        this.device = device;
        this.publicKey = publicKey;
        this.publicKeyBytes = publicKey.toRaw();
        this.initiatorHash = NoiseProtocol.initialHash(publicKeyBytes);
        this.cookieGenerator = new CookieGenerator(publicKeyBytes, device.scheduler, device.timings);
        this.keypairs = new Keypairs(device.indexTable);
        this.timers = new PeerTimers(this, device.scheduler, device.timings);
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
        Keypair kp = keypairs.current;
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
        timers.anyAuthenticatedPacketTraversal();
        timers.anyAuthenticatedPacketReceived();
        rxBytes.addAndGet(bytes);
        if (data) {
            timers.dataReceived();
        }
    }

    /** Timer and rekey bookkeeping after data packets went out (once per batch per peer). */
    void afterDataSent() {
        timers.anyAuthenticatedPacketTraversal();
        timers.anyAuthenticatedPacketSent();
        timers.dataSent();
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
                Keypair kp = keypairs.current;
                long now = device.scheduler.nanoTime();
                if (kp == null
                        || Long.compareUnsigned(kp.sendNonce.get(), device.timings.rejectAfterMessages()) >= 0
                        || kp.ageNanos(now) >= device.rejectAfterTimeNanos) {
                    break;
                }
                Endpoint ep = endpoint;
                TransportCipher cipher = COLD_CIPHERS.get();
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
            timers.anyAuthenticatedPacketTraversal();
            timers.anyAuthenticatedPacketSent();
            if (sentData) {
                timers.dataSent();
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
            timers.resetHandshakeAttempts();
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
        timers.anyAuthenticatedPacketTraversal();
        timers.anyAuthenticatedPacketSent();
        Endpoint ep = endpoint;
        if (ep != null) {
            sendDatagram(ep, msg, msg.length);
        } else {
            device.drop(DropReason.NO_ENDPOINT);
        }
        timers.handshakeInitiated();
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
        timers.sessionDerived();
        timers.anyAuthenticatedPacketTraversal();
        timers.anyAuthenticatedPacketSent();
        Endpoint ep = endpoint;
        if (ep != null) {
            sendDatagram(ep, msg, msg.length);
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
        keypairs.expire(device.timings.rejectAfterMessages());
    }

    /** Erases every session and the handshake, and drops staged packets. */
    void zeroAndFlushAll() {
        keypairs.clear();
        synchronized (handshake) {
            if (handshake.hasLocalIndex) {
                device.indexTable.delete(handshake.localIndex);
            }
            handshake.clear();
        }
        flushStaged();
    }

    void setEndpointFromPacket(Endpoint from) {
        if (from != null && !from.equals(endpoint)) {
            endpoint = from;
        }
    }

    /** Removal: stop timers, erase sessions. */
    void stop() {
        stopped = true;
        timers.stop();
        zeroAndFlushAll();
    }

    /** Starts a handshake if the current session is due for a rekey (after sending). */
    void keepKeyFreshSending() {
        Keypair kp = keypairs.current;
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
        if (timers.sentLastMinuteHandshake) {
            return;
        }
        Keypair kp = keypairs.current;
        if (kp != null
                && kp.initiator
                && kp.ageNanos(device.scheduler.nanoTime())
                        > device.rejectAfterTimeNanos
                                - device.timings.keepaliveTimeout().toNanos()
                                - device.timings.rekeyTimeout().toNanos()) {
            timers.sentLastMinuteHandshake = true;
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
