package io.nexodus.server.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch core without a database or HTTP: the {@link FeedRegistry} over an in-memory {@link FakeFeedSource}, a
 * manual ticker for idle times, and {@link WatchCursor}s reading the feeds as watch streams do. Covers the single
 * flight of reads, commits that race with a feed's first load, concurrent subscribers, resuming by revision, and
 * the eviction of idle feeds.
 */
class FeedRegistryTest {
    private static final String DEVICE = Watch.KIND_DEVICE;
    private static final Duration IDLE_TTL = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final UUID vpc = UUID.randomUUID();
    private final String topic = Topics.of(DEVICE, vpc);
    private final FakeFeedSource source = new FakeFeedSource();
    private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private FeedRegistry registry;

    @BeforeEach
    void start() {
        registry = new FeedRegistry(source, Json.mapper(), new SimpleMeterRegistry(), timer, IDLE_TTL, ticker::get);
    }

    @AfterEach
    void stop() {
        registry.close();
        threads.shutdownNow();
        timer.shutdownNow();
    }

    // ---- commits racing with reads ----

    /**
     * A device registered while the VPC's first watcher loads the feed: the load may have read the table before the
     * commit, and the commit's signal arrives while the feed is not loaded yet. The feed must read past the load.
     * (The signal used to be dropped as "not loaded": watchers did not see that device until the next change.)
     */
    @Test
    void aCommitSignalledWhileTheFirstSubscriberLoadsReachesTheFeed() throws Exception {
        source.commit(DEVICE, vpc, "a", false);
        FakeFeedSource.Pause firstLoad = source.pauseNextLoad();
        Future<Feed> subscribed = threads.submit(() -> registry.subscribe(DEVICE, vpc, new Waker()));
        firstLoad.awaitLoading(); // the load has read its rows: "b" is not among them
        long b = source.commit(DEVICE, vpc, "b", false);
        registry.signal(topic);
        firstLoad.release();
        Feed feed = subscribed.get(5, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> feed.published() >= b);
        assertThat(events(cursor(0, false, feed))).containsExactly("change a", "change b", "tail");
    }

    @Test
    void signalsDuringAReadCoalesceIntoOneMoreRead() throws Exception {
        source.commit(DEVICE, vpc, "a", false);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        assertThat(source.loads()).isEqualTo(1);

        FakeFeedSource.Pause refresh = source.pauseNextLoad();
        source.commit(DEVICE, vpc, "b", false);
        registry.signal(topic);
        refresh.awaitLoading();
        for (int i = 0; i < 10; i++) {
            source.commit(DEVICE, vpc, "c" + i, false);
            registry.signal(topic);
        }
        refresh.release();

        await().atMost(WAIT).until(() -> feed.published() == source.lastRevision());
        Thread.sleep(100); // a stray extra read would show up by now
        assertThat(source.loads()).isEqualTo(3); // the first load, the paused read, one read for all ten signals
        assertThat(events(cursor(0, false, feed))).hasSize(12 + 1);
    }

    @Test
    void oneChangeSeenByFiftyWatchersCostsOneRead() throws Exception {
        List<Waker> wakers = new ArrayList<>();
        Feed feed = null;
        for (int i = 0; i < 50; i++) {
            Waker w = new Waker();
            wakers.add(w);
            feed = registry.subscribe(DEVICE, vpc, w);
        }
        for (Waker w : wakers) {
            w.await(0); // the initial load woke them; start from a clean slate
        }
        assertThat(source.loads()).isEqualTo(1);

        long rev = source.commit(DEVICE, vpc, "a", false);
        registry.signal(topic);

        for (Waker w : wakers) {
            assertThat(w.await(5000)).as("every watcher is woken").isTrue();
        }
        assertThat(feed.published()).isEqualTo(rev);
        assertThat(source.loads()).isEqualTo(2);
    }

    @Test
    void subscribersArrivingTogetherShareTheFirstLoad() throws Exception {
        source.commit(DEVICE, vpc, "a", false);
        FakeFeedSource.Pause firstLoad = source.pauseNextLoad();
        List<Future<Feed>> subscribed = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 20; i++) {
            subscribed.add(threads.submit(() -> {
                go.await();
                return registry.subscribe(DEVICE, vpc, new Waker());
            }));
        }
        go.countDown();
        firstLoad.awaitLoading();
        Thread.sleep(50); // let the others queue behind the load
        firstLoad.release();

        Set<Feed> feeds = ConcurrentHashMap.newKeySet();
        for (Future<Feed> f : subscribed) {
            Feed feed = f.get(5, TimeUnit.SECONDS);
            assertThat(feed.isLoaded()).isTrue();
            feeds.add(feed);
        }
        assertThat(feeds).hasSize(1);
        assertThat(source.loads()).isEqualTo(1);
        assertThat(feeds.iterator().next().watcherCount()).isEqualTo(20);
    }

    /**
     * Writers commit and signal while subscribers keep arriving: whenever a subscriber came, every watcher of the VPC
     * ends up with every row exactly once, in revision order, and the reads stay bounded by the signals.
     */
    @Test
    void concurrentCommitsAndSubscribersEndWithEveryRowExactlyOnce() throws Exception {
        int writers = 2, perWriter = 150, subscribers = 30;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            work.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < perWriter; i++) {
                    source.commit(DEVICE, vpc, "w" + id + "-" + i, false);
                    registry.signal(topic);
                    if (i % 10 == 0) {
                        Thread.sleep(1);
                    }
                }
                return null;
            }));
        }
        List<Future<Feed>> subscribed = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            subscribed.add(threads.submit(() -> {
                go.await();
                Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                return registry.subscribe(DEVICE, vpc, new Waker());
            }));
        }
        go.countDown();
        for (Future<?> f : work) {
            f.get(10, TimeUnit.SECONDS);
        }
        Set<Feed> feeds = ConcurrentHashMap.newKeySet();
        for (Future<Feed> f : subscribed) {
            feeds.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(feeds).hasSize(1);
        Feed feed = feeds.iterator().next();
        long last = source.lastRevision();
        await().atMost(WAIT).until(() -> feed.published() == last);

        List<String> events = events(cursor(0, false, feed));
        assertThat(events)
                .hasSize(writers * perWriter + 1)
                .doesNotHaveDuplicates()
                .endsWith("tail");
        assertThat(revisions(feed)).isSorted();
        assertThat(source.loads()).isLessThanOrEqualTo(1 + writers * perWriter);
    }

    @Test
    void aFailedReadIsRetried() throws Exception {
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        source.failNextLoads(1);
        long rev = source.commit(DEVICE, vpc, "a", false);
        registry.signal(topic);

        await().atMost(WAIT).until(() -> feed.published() == rev); // the retry comes a second later
        assertThat(source.loads()).isEqualTo(3);
    }

    @Test
    void aFailedFirstLoadLeavesNoWatcherBehindAndTheNextSubscriberLoadsAgain() {
        source.commit(DEVICE, vpc, "a", false);
        source.failNextLoads(1);
        assertThatThrownBy(() -> registry.subscribe(DEVICE, vpc, new Waker()))
                .isInstanceOf(IllegalStateException.class);
        assertThat(registry.current(DEVICE, vpc).watcherCount()).isZero();

        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        assertThat(feed.isLoaded()).isTrue();
        assertThat(events(cursor(0, false, feed))).containsExactly("change a", "tail");
    }

    @Test
    void signalForAllRefreshesEveryFeedAndOddTopicsAreIgnored() throws Exception {
        UUID other = UUID.randomUUID();
        Feed a = registry.subscribe(DEVICE, vpc, new Waker());
        Feed b = registry.subscribe(Watch.KIND_SECURITY_GROUP, other, new Waker());
        long r1 = source.commit(DEVICE, vpc, "d", false);
        long r2 = source.commit(Watch.KIND_SECURITY_GROUP, other, "g", false);

        registry.signal("no-colon");
        registry.signal(DEVICE + ":not-a-uuid");
        registry.signal(Topics.of(DEVICE, UUID.randomUUID())); // no feed for it
        Thread.sleep(100);
        assertThat(a.published()).isZero();
        assertThat(b.published()).isZero();

        registry.signal(Topics.ALL); // e.g. the NOTIFY connection was lost and is back
        await().atMost(WAIT).until(() -> a.published() == r1 && b.published() == r2);
    }

    @Test
    void signalsAfterCloseAreIgnored() {
        registry.subscribe(DEVICE, vpc, new Waker());
        registry.close();
        source.commit(DEVICE, vpc, "a", false);
        registry.signal(topic); // a commit during shutdown must not fail its request
        assertThat(source.loads()).isEqualTo(1);
    }

    // ---- resuming by revision ----

    @Test
    void aFreshListSendsTheLiveRowsThenTheTailThenChangesAsTheyCommit() throws Exception {
        source.commit(DEVICE, vpc, "a", false);
        source.commit(DEVICE, vpc, "b", false);
        source.commit(DEVICE, vpc, "b", true);
        Waker waker = new Waker();
        WatchCursor c = cursor(0, false, registry.subscribe(DEVICE, vpc, waker));
        assertThat(events(c)).containsExactly("change a", "tail"); // the client never had b: no delete for it

        source.commit(DEVICE, vpc, "c", false);
        source.commit(DEVICE, vpc, "a", true);
        registry.signal(topic);
        assertThat(waker.await(5000)).isTrue();
        await().atMost(WAIT).until(() -> c.feed().published() == source.lastRevision());
        assertThat(events(c)).containsExactly("change c", "delete a");
    }

    @Test
    void resumingFromARevisionSendsOnlyWhatCommittedAfterIt() {
        source.commit(DEVICE, vpc, "a", false);
        long seen = source.commit(DEVICE, vpc, "b", false);
        source.commit(DEVICE, vpc, "c", false);
        source.commit(DEVICE, vpc, "a", true);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());

        assertThat(events(cursor(seen, false, feed))).containsExactly("change c", "delete a", "tail");
        assertThat(events(cursor(seen, true, feed))).containsExactly("change c", "delete a");
        assertThat(events(cursor(source.lastRevision(), true, feed))).isEmpty();
    }

    /**
     * A client that has been away long: the revisions it missed were overwritten by later versions of the same rows.
     * It gets each changed row once, in its latest version, deletes included (it may have had those rows).
     */
    @Test
    void resumingFromATooOldRevisionSendsEachChangedRowOnceInItsLatestVersion() {
        long old = source.commit(DEVICE, vpc, "a", false);
        source.commit(DEVICE, vpc, "b", false);
        for (int i = 0; i < 5; i++) {
            source.commit(DEVICE, vpc, "a", false);
        }
        source.commit(DEVICE, vpc, "b", true);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());

        assertThat(events(cursor(old, false, feed))).containsExactly("change a", "delete b", "tail");
        assertThat(revisions(feed)).containsExactly(7L, 8L);
    }

    /**
     * A revision above anything the feed has: the client saw a history this service lacks (it lost writes, or was
     * restored from a backup). Resuming would skip every commit up to that revision, so the client is told to forget
     * what it has ({@code reset}), gets the whole list and the tail, then every commit.
     */
    @Test
    void resumingFromAFutureRevisionResetsTheClientAndListsEverything() throws Exception {
        source.commit(DEVICE, vpc, "a", false);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        WatchCursor c = cursor(5, true, feed);
        assertThat(events(c)).containsExactly("reset", "change a", "tail");

        for (int i = 2; i <= 5; i++) {
            source.commit(DEVICE, vpc, "below-" + i, false);
        }
        registry.signal(topic);
        await().atMost(WAIT).until(() -> feed.published() == 5);
        assertThat(events(c)).containsExactly("change below-2", "change below-3", "change below-4", "change below-5");
        assertThat(c.lastRevision()).isEqualTo(5);

        // a resume from a revision the feed has is no reset
        WatchCursor again = cursor(5, true, feed);
        assertThat(events(again)).isEmpty();
    }

    /**
     * On several replicas a client may resume from a revision another replica showed it before this replica's feed
     * read that commit (its NOTIFY still under way). That is no lost history: the feed catches up from the database
     * first and the client gets only what followed, no {@code reset} and no second copy of the list. (The cursor used
     * to take the revision for lost history: after a replica was killed, its watchers reconnecting to another replica
     * were reset and sent everything again.)
     */
    @Test
    void resumingFromARevisionCommittedThroughAnotherReplicaCatchesUpInsteadOfResetting() {
        source.commit(DEVICE, vpc, "a", false);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        long seenElsewhere = source.commit(DEVICE, vpc, "b", false); // no signal here yet
        source.commit(DEVICE, vpc, "c", false);
        assertThat(feed.published()).isLessThan(seenElsewhere);

        registry.catchUp(feed, seenElsewhere, WAIT);
        assertThat(events(cursor(seenElsewhere, true, feed))).containsExactly("change c");
    }

    /** A revision the database lacks as well: catching up reads once, returns at once, and the client is reset. */
    @Test
    void catchingUpWithARevisionTheDatabaseLacksStillResets() {
        source.commit(DEVICE, vpc, "a", false);
        Feed feed = registry.subscribe(DEVICE, vpc, new Waker());
        long t0 = System.nanoTime();
        registry.catchUp(feed, 5, WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
        assertThat(events(cursor(5, true, feed))).containsExactly("reset", "change a", "tail");
    }

    @Test
    void aLongListIsSentInBoundedTurns() {
        for (int i = 0; i < LineBatch.MAX_LINES + 10; i++) {
            source.commit(DEVICE, vpc, "d" + i, false);
        }
        WatchCursor c = cursor(0, false, registry.subscribe(DEVICE, vpc, new Waker()));
        LineBatch first = new LineBatch();
        assertThat(c.collect(first)).as("more is pending after a full turn").isTrue();
        assertThat(first.isFull()).isTrue();
        int firstTurn = lines(first).size();
        assertThat(firstTurn).isBetween(1, LineBatch.MAX_LINES);
        assertThat(events(c)).hasSize(LineBatch.MAX_LINES + 10 - firstTurn + 1).endsWith("tail");
    }

    // ---- idle feeds ----

    @Test
    void aFeedWithoutWatchersIsDroppedAfterItsTtlAndLoadedAgainWhenNeeded() {
        source.commit(DEVICE, vpc, "a", false);
        Waker w = new Waker();
        Feed feed = registry.subscribe(DEVICE, vpc, w);
        ticker.addAndGet(IDLE_TTL.toNanos() * 10);
        registry.evictIdle();
        assertThat(registry.feedCount()).as("a feed with a watcher stays").isEqualTo(1);

        registry.unsubscribe(feed, w);
        ticker.addAndGet(IDLE_TTL.minusSeconds(1).toNanos());
        registry.evictIdle();
        assertThat(registry.feedCount()).as("idle, but not for long enough").isEqualTo(1);

        ticker.addAndGet(Duration.ofSeconds(2).toNanos());
        registry.evictIdle();
        assertThat(registry.feedCount()).isZero();

        source.commit(DEVICE, vpc, "b", false);
        Feed again = registry.subscribe(DEVICE, vpc, new Waker());
        assertThat(again).isNotSameAs(feed);
        assertThat(source.loads()).isEqualTo(2);
        assertThat(events(cursor(0, false, again))).containsExactly("change a", "change b", "tail");
    }

    /** Eviction runs while watchers come and go: a feed that has a watcher is the registry's feed, never a dropped one. */
    @Test
    void evictionRacingWithSubscribersNeverDropsAWatchedFeed() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Future<?> evictor = threads.submit(() -> {
            while (!done.get()) {
                ticker.addAndGet(IDLE_TTL.toNanos() * 2); // every feed without a watcher is past its TTL
                registry.evictIdle();
            }
        });
        List<Future<Integer>> watchers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            watchers.add(threads.submit(() -> {
                int checked = 0;
                for (int i = 0; i < 500; i++) {
                    Waker w = new Waker();
                    Feed f = registry.subscribe(DEVICE, vpc, w);
                    assertThat(registry.current(DEVICE, vpc)).isSameAs(f);
                    registry.unsubscribe(f, w);
                    checked++;
                }
                return checked;
            }));
        }
        for (Future<Integer> f : watchers) {
            assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(500);
        }
        done.set(true);
        evictor.get(5, TimeUnit.SECONDS);

        Feed watched = registry.subscribe(DEVICE, vpc, new Waker());
        long rev = source.commit(DEVICE, vpc, "x", false);
        registry.signal(topic);
        await().atMost(WAIT).until(() -> watched.published() == rev);
    }

    // ---- helpers ----

    private static WatchCursor cursor(long gtRevision, boolean atTail, Feed feed) {
        WatchRequest req = new WatchRequest(DEVICE, feed.vpcId, gtRevision, atTail, null, null, List.of());
        String tail = "{\"kind\":\"" + DEVICE + "\",\"type\":\"" + WatchEvent.TYPE_TAIL + "\"}\n";
        String reset = "{\"kind\":\"" + DEVICE + "\",\"type\":\"" + WatchEvent.TYPE_RESET + "\"}\n";
        WatchCursor c =
                new WatchCursor(req, tail.getBytes(StandardCharsets.UTF_8), reset.getBytes(StandardCharsets.UTF_8));
        c.attach(feed);
        return c;
    }

    /** Every event the cursor has to send now, as "type id" (or "tail"), turn by turn as a stream does. */
    private static List<String> events(WatchCursor c) {
        List<String> out = new ArrayList<>();
        boolean more = true;
        for (int turn = 0; more && turn < 100; turn++) {
            LineBatch b = new LineBatch();
            more = c.collect(b);
            for (JsonNode e : lines(b)) {
                String type = e.get("type").asText();
                out.add(
                        type.equals(WatchEvent.TYPE_TAIL) || type.equals(WatchEvent.TYPE_RESET)
                                ? type
                                : type + " " + e.get("value").get("id").asText());
            }
        }
        return out;
    }

    private static List<JsonNode> lines(LineBatch b) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            b.writeTo(bytes);
            List<JsonNode> out = new ArrayList<>();
            for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n", -1)) {
                if (!line.isEmpty()) {
                    out.add(Json.mapper().readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> revisions(Feed feed) {
        List<Long> out = new ArrayList<>();
        for (Feed.Entry e : feed.since(0, feed.published())) {
            out.add(e.revision());
        }
        return out;
    }
}
