package io.nexodus.nexd.agent;

import io.nexodus.nexd.endpoint.NatDiscovery;
import io.nexodus.nexd.endpoint.NatObservation;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-runs STUN every {@code interval}, and at once (at most every {@code minGap}) when asked, because a peer went
 * silent or a handshake failed: the usual cause is that our NAT mapping changed. A changed mapping (or NAT verdict) is
 * reported to {@code onChange}, which pushes it to the service so peers re-converge.
 */
final class StunMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunMonitor.class);

    private final NatDiscovery discovery;
    private final Duration interval;
    private final Duration minGap;
    private final Consumer<NatObservation> onChange;
    private final Semaphore trigger = new Semaphore(0);
    private volatile NatObservation current;
    private volatile boolean closed;
    private volatile long lastRunNanos;
    private int failuresInARow;
    private int retriesLeft;
    private Thread thread;

    StunMonitor(NatDiscovery discovery, Duration interval, Duration minGap, Consumer<NatObservation> onChange) {
        this.discovery = discovery;
        this.interval = interval;
        this.minGap = minGap;
        this.onChange = onChange;
    }

    /** The first observation, synchronously (before registering). */
    NatObservation initial() throws InterruptedException {
        retriesLeft = 2;
        NatObservation o = discovery.observe();
        lastRunNanos = System.nanoTime();
        current = o;
        return o;
    }

    NatObservation current() {
        return current;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("nexd-stun").start(this::loop);
        }
    }

    /** Asks for a re-check soon (coalesced, rate limited). */
    void recheck(String why) {
        if (trigger.availablePermits() == 0) {
            log.debug("STUN re-check requested: {}", why);
            trigger.release();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                boolean asked = trigger.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
                trigger.drainPermits();
                long sinceLast = System.nanoTime() - lastRunNanos;
                if (sinceLast < minGap.toNanos()) {
                    Thread.sleep(Duration.ofNanos(minGap.toNanos() - sinceLast));
                }
                if (closed) {
                    return;
                }
                NatObservation o = discovery.observe();
                lastRunNanos = System.nanoTime();
                NatObservation before = current;
                failuresInARow = o.stunFailed() ? failuresInARow + 1 : 0;
                if (o.stunFailed() && before != null && !before.stunFailed() && failuresInARow < 3) {
                    // a lost round or two (packet loss, the STUN server restarting) is not a reason to call
                    // ourselves unreachable; the third in a row is
                    log.info("STUN got no answer ({}); keeping {}", o.describe(), before.describe());
                    if (asked && retriesLeft > 0) {
                        // asked because a peer went silent: the answer matters now (a new public address is found
                        // only this way before the next periodic round), so a lost answer is retried after minGap
                        // instead of the interval; the peer's silence raises no second request by itself
                        retriesLeft--;
                        trigger.release();
                    }
                    continue;
                }
                retriesLeft = 2;
                if (!o.sameMapping(before)) {
                    log.info(
                            "NAT mapping changed: {} -> {}", before == null ? "none" : before.describe(), o.describe());
                    current = o;
                    onChange.accept(o);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("STUN re-check failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
