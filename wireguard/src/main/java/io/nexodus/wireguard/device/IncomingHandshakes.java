package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.Endpoint;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handshake messages from the network (wireguard-go's {@code RoutineHandshake}): the receive path queues initiations,
 * responses and cookie replies here; one handshake thread checks mac1, and while the device is under load mac2 (a
 * cookie reply instead of work) and the per-source rate limiter, then lets {@link NoiseProtocol} consume the message
 * and answers it. The queue is bounded, so X25519 never stalls the data path and a flood costs only counted drops;
 * its depth tells when the device is under load.
 * <p>
 * Threads: {@link #enqueue} from the receive threads; {@link #loop} is the handshake thread. A device built for tests
 * without threads handles each message inline on the receiving thread.
 */
final class IncomingHandshakes {
    private static final Logger log = LoggerFactory.getLogger(IncomingHandshakes.class);
    static final int QUEUE_SIZE = 1024;
    static final int UNDER_LOAD_QUEUE_DEPTH = QUEUE_SIZE / 8;
    private static final byte[] NO_SOURCE = new byte[0];

    private final Device device;
    private final boolean inline;
    private final RateLimiter rateLimiter;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
    private volatile long underLoadUntil;
    /** Tests set this to exercise the cookie and rate-limit paths. */
    volatile boolean forceUnderLoad;

    /** A queued message: its bytes (a copy; the receive batch is reused) and where it came from. */
    private static final class Job {
        final byte[] message;
        final Endpoint source;

        Job(byte[] message, Endpoint source) {
            this.message = message;
            this.source = source;
        }
    }

    IncomingHandshakes(Device device, boolean inline) {
        this.device = device;
        this.inline = inline;
        this.rateLimiter = new RateLimiter(device.scheduler);
    }

    /** Queues a handshake message (or, without a handshake thread, handles it now). */
    void enqueue(byte[] msg, Endpoint from) {
        Job job = new Job(msg, from);
        if (inline) {
            handle(job);
        } else if (!queue.offer(job)) {
            device.drop(DropReason.HANDSHAKE_QUEUE_FULL);
        }
    }

    /** The handshake thread: handles queued messages until the device closes. */
    void loop() {
        while (!device.closing) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                handle(job);
            } catch (RuntimeException e) {
                log.warn("{}: handshake message from {} failed", device.name(), job.source, e);
            }
        }
    }

    private boolean underLoad() {
        if (forceUnderLoad) {
            return true;
        }
        long now = device.scheduler.nanoTime();
        if (queue.size() >= UNDER_LOAD_QUEUE_DEPTH) {
            underLoadUntil = now + device.timings.underLoadDuration().toNanos();
            return true;
        }
        return underLoadUntil - now > 0;
    }

    private void handle(Job job) {
        byte[] msg = job.message;
        Endpoint from = job.source;
        int type = Messages.le32(msg, 0);
        if (type == Messages.TYPE_COOKIE_REPLY) {
            IndexTable.Entry e = device.indexTable.lookup(Messages.le32(msg, Messages.COOKIE_RECEIVER));
            if (e == null || !e.peer().cookieGenerator.consumeReply(msg)) {
                device.drop(DropReason.INVALID_COOKIE_REPLY);
            }
            return;
        }
        Identity id = device.config.identity();
        if (id == null) {
            device.drop(DropReason.HANDSHAKE_FAILED);
            return;
        }
        int macOffset = type == Messages.TYPE_INITIATION ? Messages.INIT_MAC1 : Messages.RESP_MAC1;
        if (!id.cookieChecker().checkMac1(msg, macOffset)) {
            device.drop(DropReason.INVALID_MAC1);
            return;
        }
        if (underLoad() && !admitUnderLoad(id, msg, macOffset, from)) {
            return;
        }
        Peer peer = type == Messages.TYPE_INITIATION
                ? device.noise.consumeInitiation(msg)
                : device.noise.consumeResponse(msg);
        if (peer == null) {
            return;
        }
        peer.setEndpointFromPacket(from);
        peer.timers.anyAuthenticatedPacketTraversal();
        peer.timers.anyAuthenticatedPacketReceived();
        peer.rxBytes.addAndGet(msg.length);
        if (type == Messages.TYPE_INITIATION) {
            peer.sendHandshakeResponse();
            return;
        }
        if (device.noise.beginSymmetricSession(peer) == null) {
            return;
        }
        peer.timers.sessionDerived();
        peer.timers.handshakeComplete();
        peer.sendKeepalive();
    }

    /**
     * Under load a message needs a valid mac2 (else the source gets a cookie reply instead of our work) and a place in
     * the per-source rate limit; false if it was refused (and counted).
     */
    private boolean admitUnderLoad(Identity id, byte[] msg, int macOffset, Endpoint from) {
        byte[] source = from == null ? NO_SOURCE : from.cookieBytes();
        if (!id.cookieChecker().checkMac2(msg, macOffset, source)) {
            int senderIndex = Messages.le32(msg, 4);
            byte[] reply = id.cookieChecker().createReply(msg, macOffset, senderIndex, source);
            device.drop(DropReason.COOKIE_REQUIRED);
            if (from != null) {
                try {
                    device.bind.send(from, reply, 0, reply.length);
                } catch (IOException | RuntimeException e) {
                    device.drop(DropReason.SEND_FAILED);
                }
            }
            return false;
        }
        if (from != null && !rateLimiter.allow(from.rateLimitKey())) {
            device.drop(DropReason.RATE_LIMITED);
            return false;
        }
        return true;
    }
}
