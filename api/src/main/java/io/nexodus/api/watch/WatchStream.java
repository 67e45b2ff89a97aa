package io.nexodus.api.watch;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.NexodusClientException;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.core.retry.Backoff;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch stream that stays open: it POSTs the subscribers' watches, dispatches events by kind, and when the stream
 * ends or breaks (or stalls: no bytes, not even the service's keep-alive, for {@code stallTimeout}) it reconnects
 * with exponential backoff and resumes each watch from its last revision ({@code gt_revision} + {@code at_tail}),
 * so nothing is missed. One subscriber per kind. Runs on its own virtual thread until {@link #close()}.
 */
public final class WatchStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);

    /** Connection state callbacks (optional), called on the stream's thread. */
    public interface Listener {
        default void onConnected() {}

        /** The connection ended; {@code cause} is null for a clean end of stream, else the failure. */
        default void onDisconnected(Throwable cause) {}

        /** The service sent an {@code error} event (the stream ends and is reopened). */
        default void onErrorEvent(WatchEvent event) {}
    }

    private final NexodusClient client;
    private final UUID vpcId;
    private final String publicKey;
    private final Map<String, WatchSubscriber> byKind;
    private final Listener listener;
    private final Backoff backoff;
    private final Duration stallTimeout;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile WatchConnection current;
    private volatile Thread thread;

    private WatchStream(Builder b) {
        this.client = b.client;
        this.vpcId = b.vpcId;
        this.publicKey = b.publicKey;
        this.byKind = new LinkedHashMap<>();
        for (WatchSubscriber s : b.subscribers) {
            String kind = s.currentWatch().kind();
            if (byKind.put(kind, s) != null) {
                throw new IllegalArgumentException(
                        "two watches of kind " + kind + " on one stream: events could not be told apart");
            }
        }
        if (byKind.isEmpty()) {
            throw new IllegalArgumentException("a watch stream needs at least one subscriber");
        }
        this.listener = b.listener;
        // Equal jitter: every reconnect goes to the one shared service, which may be up but overloaded (starting, or
        // shedding load); each agent's retry interval must really grow (at least half the ceiling), while a fleet
        // cut off at once is still spread over the other half. Full jitter would let a share of thousands of agents
        // retry almost at once after every failure.
        this.backoff = new Backoff(b.initialBackoff, b.maxBackoff, Backoff.Jitter.EQUAL, new SplittableRandom());
        this.stallTimeout = b.stallTimeout;
    }

    /**
     * A stream on {@code POST /api/vpcs/{vpcId}/events} when {@code vpcId} is non-null (then {@code publicKey},
     * if non-null, marks the device online while connected), else on {@code POST /api/events}.
     */
    public static Builder builder(NexodusClient client, UUID vpcId) {
        return new Builder(client, vpcId);
    }

    /** Starts the stream's thread (idempotent). */
    public synchronized WatchStream start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("nexodus-watch").start(this::run);
            Thread.ofVirtual().name("nexodus-watch-stall").start(this::stallWatchdog);
        }
        return this;
    }

    private void run() {
        try {
            while (!closed) {
                Throwable cause = null;
                try {
                    connectOnce();
                } catch (ApiException e) {
                    cause = e;
                    log.warn("watch stream refused: {}", e.getMessage());
                } catch (NexodusClientException | UncheckedIOException e) {
                    cause = e;
                    if (!closed) {
                        log.debug("watch stream broke: {}", e.getMessage());
                    }
                } catch (RuntimeException e) {
                    cause = e;
                    log.warn("watch stream failed", e);
                }
                if (closed) {
                    break;
                }
                listener.onDisconnected(cause);
                sleep(backoff.next());
            }
        } finally {
            stopped.countDown();
        }
    }

    private void connectOnce() {
        List<Watch> watches = new ArrayList<>();
        for (WatchSubscriber s : byKind.values()) {
            watches.add(s.currentWatch());
        }
        WatchConnection conn =
                vpcId == null ? client.events().open(watches) : client.events().open(vpcId, publicKey, watches);
        current = conn;
        try (conn) {
            if (closed) {
                return;
            }
            listener.onConnected();
            long opened = System.nanoTime();
            WatchEvent e;
            while (!closed && (e = conn.next()) != null) {
                if (WatchEvent.TYPE_ERROR.equals(e.type())) {
                    log.warn("watch stream error event: {}", e.value());
                    listener.onErrorEvent(e);
                    return;
                }
                WatchSubscriber s = byKind.get(e.kind());
                if (s == null) {
                    log.debug("ignoring watch event of unexpected kind {}", e.kind());
                    continue;
                }
                s.onEvent(e);
                if (WatchEvent.TYPE_TAIL.equals(e.type()) || System.nanoTime() - opened > 30_000_000_000L) {
                    backoff.reset();
                }
            }
            if (!closed) {
                listener.onDisconnected(null);
            }
        } finally {
            current = null;
        }
    }

    private void stallWatchdog() {
        long stallNanos = stallTimeout.toNanos();
        while (!closed) {
            sleep(Duration.ofMillis(Math.min(1000, Math.max(10, stallTimeout.toMillis() / 4))));
            WatchConnection c = current;
            if (c != null && System.nanoTime() - c.lastReadNanos() > stallNanos) {
                log.info("watch stream silent for {}; reconnecting", stallTimeout);
                c.close();
            }
        }
    }

    private void sleep(Duration d) {
        try {
            stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Whether a connection is currently open. */
    public boolean isConnected() {
        return current != null;
    }

    /** Stops the stream: closes the connection and ends the thread. */
    @Override
    public void close() {
        closed = true;
        WatchConnection c = current;
        if (c != null) {
            c.close();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Configures a {@link WatchStream}. */
    public static final class Builder {
        private final NexodusClient client;
        private final UUID vpcId;
        private String publicKey;
        private final List<WatchSubscriber> subscribers = new ArrayList<>();
        private Listener listener = new Listener() {};
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(45);

        private Builder(NexodusClient client, UUID vpcId) {
            this.client = Objects.requireNonNull(client);
            this.vpcId = vpcId;
        }

        /** The connecting device's WireGuard public key (only with a VPC path): online tracking. */
        public Builder publicKey(String key) {
            this.publicKey = key;
            return this;
        }

        public Builder subscribe(WatchSubscriber s) {
            subscribers.add(Objects.requireNonNull(s));
            return this;
        }

        public Builder listener(Listener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Reconnect when nothing arrives for this long (the service sends a keep-alive every 10 s). Default 45 s. */
        public Builder stallTimeout(Duration d) {
            this.stallTimeout = d;
            return this;
        }

        /** Builds and starts the stream. */
        public WatchStream start() {
            return new WatchStream(this).start();
        }

        public WatchStream build() {
            return new WatchStream(this);
        }
    }
}
