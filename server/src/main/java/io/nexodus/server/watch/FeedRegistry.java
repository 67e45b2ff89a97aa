package io.nexodus.server.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signal bus and the feeds: committed writes (in this process) and NOTIFY payloads (from other replicas) name a
 * topic {@code <kind>:<vpc>}; the matching feed re-reads the rows above its revision once (single flight: signals
 * during a read coalesce into one more read) and wakes its watchers. No watcher ever polls the database. Feeds
 * without watchers are dropped after {@code idleTtl}.
 * <p>
 * Threads: {@link #signal} is called by committing request threads and the NOTIFY listener; it never reads the
 * database itself. The first subscriber of a feed loads it on its own thread (others wait for that load); every later
 * read runs on a virtual thread of the registry, at most one per feed at a time. Rows come from a {@link FeedSource}
 * and idle time from {@code ticker} (nanoseconds, {@link System#nanoTime()} in the service), so tests drive both.
 */
public final class FeedRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FeedRegistry.class);
    private static final Duration EVICTION_PERIOD = Duration.ofSeconds(30);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private record Key(String kind, UUID vpcId) {}

    /**
     * A feed and its refresh state: {@code dirty} = a signal came since the last read began; {@code requested} counts
     * catch-up requests and {@code covered} is the highest of them that a finished read began after.
     */
    private static final class State {
        final Feed feed;
        final AtomicBoolean dirty = new AtomicBoolean();
        final AtomicBoolean running = new AtomicBoolean();
        final AtomicLong requested = new AtomicLong();
        final Object readDone = new Object();
        volatile long covered;

        State(Feed feed) {
            this.feed = feed;
        }
    }

    private final FeedSource source;
    private final ObjectMapper json;
    private final LongSupplier ticker;
    private final ConcurrentHashMap<Key, State> feeds = new ConcurrentHashMap<>();
    private final ExecutorService refreshers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer;
    private final ScheduledFuture<?> eviction;
    private final Duration idleTtl;
    private final AtomicInteger streams = new AtomicInteger();
    private final Counter reads;
    private volatile boolean closing;

    /**
     * @param timer runs the idle-feed eviction (every 30 s) and the retry of a failed read (after 1 s)
     * @param ticker nanoseconds for idle times, e.g. {@code System::nanoTime}
     */
    public FeedRegistry(
            FeedSource source,
            ObjectMapper json,
            MeterRegistry meters,
            ScheduledExecutorService timer,
            Duration idleTtl,
            LongSupplier ticker) {
        this.source = source;
        this.json = json;
        this.timer = timer;
        this.idleTtl = idleTtl;
        this.ticker = ticker;
        this.reads = Counter.builder("nexodus.watch.feed.reads")
                .description("database reads by watch feeds")
                .register(meters);
        Gauge.builder("nexodus.watch.streams", streams, AtomicInteger::get)
                .description("open watch streams")
                .register(meters);
        Gauge.builder("nexodus.watch.feeds", feeds, ConcurrentHashMap::size)
                .description("feeds in memory")
                .register(meters);
        long period = EVICTION_PERIOD.toMillis();
        this.eviction = timer.scheduleWithFixedDelay(this::evictIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** Entry point of the signal bus: a topic from a local commit or another replica's NOTIFY. */
    public void signal(String topic) {
        if (Topics.ALL.equals(topic)) {
            feeds.values().forEach(this::refresh);
            return;
        }
        int colon = topic.indexOf(':');
        if (colon < 0) {
            return;
        }
        UUID vpc;
        try {
            vpc = UUID.fromString(topic.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            log.debug("ignoring malformed signal {}", topic);
            return;
        }
        State s = feeds.get(new Key(topic.substring(0, colon), vpc));
        if (s != null) {
            refresh(s);
        }
    }

    public void signals(Set<String> topics) {
        topics.forEach(this::signal);
    }

    /**
     * Subscribes {@code waker} to a feed and makes sure the feed is loaded (the first subscriber pays for it). If that
     * load fails, the waker is unsubscribed again and the failure thrown: the next subscriber tries again.
     */
    Feed subscribe(String kind, UUID vpcId, Waker waker) {
        State s = feeds.compute(new Key(kind, vpcId), (k, v) -> {
            State st = v != null ? v : new State(new Feed(kind, vpcId, ticker));
            st.feed.addWatcher(waker);
            return st;
        });
        if (!s.feed.isLoaded()) {
            try {
                synchronized (s) {
                    if (!s.feed.isLoaded()) {
                        s.dirty.set(false); // the load below sees every commit signalled so far
                        reads.increment();
                        s.feed.apply(source.load(kind, vpcId, 0), json, true);
                    }
                }
            } catch (RuntimeException e) {
                s.feed.removeWatcher(waker);
                throw e;
            }
            // a commit signalled while the load ran may be missing from it: read past it now
            startRefresh(s);
        }
        return s.feed;
    }

    /**
     * Before a client resumes from {@code revision}: if the feed has published less, makes it read the rows committed
     * up to now and waits for that read (at most {@code timeout}). On several replicas the client may have seen that
     * revision through another replica whose commit this replica's feed has not read yet (its NOTIFY is under way);
     * that is no lost history, and must not make the cursor send a {@code reset} and the whole list again. A revision
     * still above the feed's after the read is one the database lacks (the cursor resets the client then).
     */
    void catchUp(Feed feed, long revision, Duration timeout) {
        if (feed.published() >= revision) {
            return;
        }
        State s = feeds.get(new Key(feed.kind, feed.vpcId));
        if (s == null || s.feed != feed) {
            return;
        }
        long request = s.requested.incrementAndGet();
        refresh(s);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (s.readDone) {
            while (s.covered < request && feed.published() < revision && !closing) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    log.debug(
                            "watch feed {} {} did not catch up with revision {} in {}",
                            feed.kind,
                            feed.vpcId,
                            revision,
                            timeout);
                    return;
                }
                try {
                    s.readDone.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void unsubscribe(Feed feed, Waker waker) {
        feed.removeWatcher(waker);
    }

    private void refresh(State s) {
        s.dirty.set(true);
        if (!s.feed.isLoaded()) {
            return; // loading: subscribe() refreshes after its load when this came in meanwhile
        }
        startRefresh(s);
    }

    /** Starts the feed's reader unless it runs already or nothing is dirty. */
    private void startRefresh(State s) {
        if (closing || !s.dirty.get() || !s.running.compareAndSet(false, true)) {
            return;
        }
        refreshers.execute(() -> runRefresh(s));
    }

    private void runRefresh(State s) {
        try {
            while (s.dirty.getAndSet(false)) {
                // every catch-up request counted by now set dirty before: this read starts after it
                long request = s.requested.get();
                reads.increment();
                s.feed.apply(source.load(s.feed.kind, s.feed.vpcId, s.feed.published()), json, false);
                synchronized (s.readDone) {
                    s.covered = request;
                    s.readDone.notifyAll();
                }
            }
        } catch (RuntimeException e) {
            log.warn("watch feed {} {} refresh failed; retrying in 1 s: {}", s.feed.kind, s.feed.vpcId, e.getMessage());
            s.dirty.set(true);
            s.running.set(false);
            if (!closing) {
                ScheduledFuture<?> _ = timer.schedule(() -> refresh(s), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        s.running.set(false);
        startRefresh(s); // a signal that came after the last read but before running was cleared
    }

    /** Drops feeds that have had no watcher for longer than the idle TTL (run every 30 s by the timer). */
    void evictIdle() {
        long now = ticker.getAsLong();
        long ttl = idleTtl.toNanos();
        feeds.forEach((k, s) -> {
            if (s.feed.watcherCount() == 0 && now - s.feed.idleSinceNanos() > ttl) {
                feeds.computeIfPresent(
                        k, (_, v) -> v.feed.watcherCount() == 0 && now - v.feed.idleSinceNanos() > ttl ? null : v);
            }
        });
    }

    /** Feeds in memory. */
    int feedCount() {
        return feeds.size();
    }

    /** The feed in memory for a kind and VPC, or null. */
    Feed current(String kind, UUID vpcId) {
        State s = feeds.get(new Key(kind, vpcId));
        return s == null ? null : s.feed;
    }

    void streamOpened() {
        streams.incrementAndGet();
    }

    void streamClosed() {
        streams.decrementAndGet();
    }

    public int openStreams() {
        return streams.get();
    }

    public boolean isClosing() {
        return closing;
    }

    /** Ends every watch stream cleanly (they see {@link #isClosing()} on wake) and stops refreshing. */
    public void shutdownStreams(Duration wait) {
        closing = true;
        feeds.values().forEach(s -> s.feed.wakeAll());
        long deadline = System.nanoTime() + wait.toNanos();
        while (streams.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        eviction.cancel(false);
        refreshers.shutdownNow();
    }
}
