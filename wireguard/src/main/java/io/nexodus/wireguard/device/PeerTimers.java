package io.nexodus.wireguard.device;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's protocol timers (whitepaper §6, wireguard-go's {@code timers.go}): handshake retransmission and giving up,
 * passive keepalive, new handshake when data gets no answer, erasing key material, persistent keepalive. The data and
 * handshake paths report events ({@code dataSent}, {@code handshakeComplete}, ...) and the timers react on the
 * device's {@link Scheduler}.
 * <p>
 * Threads: events come from the packet, handshake and configuration threads; {@link Timer} is thread-safe and its
 * re-arming is cheap (a deadline write), so the data path reports once per batch per peer. Expiries run on the
 * scheduler's thread.
 */
final class PeerTimers {
    private static final Logger log = LoggerFactory.getLogger(PeerTimers.class);
    private static final long JITTER_MAX_NANOS = 334_000_000L;

    private final Peer peer;
    private final Timings timings;
    private final Scheduler scheduler;
    private final Timer retransmitHandshake;
    private final Timer sendKeepalive;
    private final Timer newHandshake;
    private final Timer zeroKeyMaterial;
    private final Timer persistentKeepalive;
    private final AtomicInteger handshakeAttempts = new AtomicInteger();
    private volatile boolean needAnotherKeepalive;
    /** Set once the "session about to expire" handshake was sent (see {@link Peer#keepKeyFreshReceiving}). */
    volatile boolean sentLastMinuteHandshake;

    PeerTimers(Peer peer, Scheduler scheduler, Timings timings) {
        this.peer = peer;
        this.timings = timings;
        this.scheduler = scheduler;
        this.retransmitHandshake = new Timer(scheduler, this::expiredRetransmitHandshake);
        this.sendKeepalive = new Timer(scheduler, this::expiredSendKeepalive);
        this.newHandshake = new Timer(scheduler, this::expiredNewHandshake);
        this.zeroKeyMaterial = new Timer(scheduler, this::expiredZeroKeyMaterial);
        this.persistentKeepalive = new Timer(scheduler, this::expiredPersistentKeepalive);
    }

    /** A new (not retried) handshake starts counting its attempts from zero. */
    void resetHandshakeAttempts() {
        handshakeAttempts.set(0);
    }

    /** Stops every timer for good (peer removal). */
    void stop() {
        retransmitHandshake.stop();
        sendKeepalive.stop();
        newHandshake.stop();
        zeroKeyMaterial.stop();
        persistentKeepalive.stop();
    }

    // ---------------------------------------------------------------------------------------------- events

    void dataSent() {
        if (!newHandshake.isPending()) {
            newHandshake.mod(timings.keepaliveTimeout().toNanos()
                    + timings.rekeyTimeout().toNanos()
                    + jitter());
        }
    }

    void dataReceived() {
        if (!sendKeepalive.isPending()) {
            sendKeepalive.mod(timings.keepaliveTimeout().toNanos());
        } else {
            needAnotherKeepalive = true;
        }
    }

    void anyAuthenticatedPacketSent() {
        sendKeepalive.del();
    }

    void anyAuthenticatedPacketReceived() {
        newHandshake.del();
    }

    void handshakeInitiated() {
        retransmitHandshake.mod(timings.rekeyTimeout().toNanos() + jitter());
    }

    void handshakeComplete() {
        retransmitHandshake.del();
        handshakeAttempts.set(0);
        sentLastMinuteHandshake = false;
        peer.lastHandshake = scheduler.now();
    }

    void sessionDerived() {
        zeroKeyMaterial.mod(timings.rejectAfterTime().toNanos() * 3);
    }

    void anyAuthenticatedPacketTraversal() {
        int interval = peer.persistentKeepaliveSeconds;
        if (interval > 0) {
            persistentKeepalive.mod(interval * 1_000_000_000L);
        }
    }

    // ---------------------------------------------------------------------------------------------- expiries

    private static long jitter() {
        return ThreadLocalRandom.current().nextLong(JITTER_MAX_NANOS);
    }

    private void expiredRetransmitHandshake() {
        if (peer.stopped) {
            return;
        }
        if (handshakeAttempts.get() > timings.maxHandshakeAttempts()) {
            log.debug("{}: handshake did not complete after {} attempts, giving up", peer, handshakeAttempts.get());
            sendKeepalive.del();
            peer.flushStaged();
            if (!zeroKeyMaterial.isPending()) {
                zeroKeyMaterial.mod(timings.rejectAfterTime().toNanos() * 3);
            }
            return;
        }
        handshakeAttempts.incrementAndGet();
        log.debug(
                "{}: handshake did not complete after {}, retrying (try {})",
                peer,
                timings.rekeyTimeout(),
                handshakeAttempts.get() + 1);
        peer.sendHandshakeInitiation(true);
    }

    private void expiredSendKeepalive() {
        peer.sendKeepalive();
        if (needAnotherKeepalive) {
            needAnotherKeepalive = false;
            sendKeepalive.mod(timings.keepaliveTimeout().toNanos());
        }
    }

    private void expiredNewHandshake() {
        log.debug("{}: retrying handshake because we stopped hearing back", peer);
        peer.sendHandshakeInitiation(false);
    }

    private void expiredZeroKeyMaterial() {
        log.debug(
                "{}: erasing session keys after {} without a new handshake",
                peer,
                timings.rejectAfterTime().multipliedBy(3));
        peer.zeroAndFlushAll();
    }

    private void expiredPersistentKeepalive() {
        if (peer.persistentKeepaliveSeconds > 0) {
            peer.sendKeepalive();
        }
    }
}
