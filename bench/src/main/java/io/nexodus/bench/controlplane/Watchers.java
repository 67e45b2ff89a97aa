package io.nexodus.bench.controlplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.Watch;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The benchmark's open watch streams, one per simulated device (its {@code DT:} token and public key, the watches nexd
 * opens: devices, security groups and relay metadata of its VPC), and what they report: how many are open and
 * synced, failures, and for every change the time each stream received it.
 */
final class Watchers implements WatchStreamClient.Listener {
    private final InetSocketAddress server;
    private final UUID vpcId;
    private final byte[] body;
    private final int maxChanges;
    private final List<WatchStreamClient> clients = new ArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger synced = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final long[][] received; // [change][watcher]: System.nanoTime() of arrival, 0 = not (yet)
    private final AtomicIntegerArray receivedCount;

    Watchers(InetSocketAddress server, UUID vpcId, int maxWatchers, int maxChanges) {
        this.server = server;
        this.vpcId = vpcId;
        this.maxChanges = maxChanges;
        this.received = new long[maxChanges][maxWatchers];
        this.receivedCount = new AtomicIntegerArray(maxChanges);
        List<Watch> watches = List.of(
                new Watch(Watch.KIND_DEVICE, 0, false, Map.of(Watch.OPTION_VPC_ID, vpcId.toString())),
                new Watch(Watch.KIND_SECURITY_GROUP, 0, false, Map.of(Watch.OPTION_VPC_ID, vpcId.toString())),
                new Watch(
                        Watch.KIND_DEVICE_METADATA,
                        0,
                        false,
                        Map.of(Watch.OPTION_VPC_ID, vpcId.toString(), Watch.OPTION_KEY, "relay")));
        try {
            this.body = Json.mapper().writeValueAsBytes(watches);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static int watchesPerStream() {
        return 3;
    }

    /**
     * Opens streams for {@code devices} (each on its own virtual thread), at most {@code parallel} connecting at a
     * time; returns once all have been started (not synced).
     */
    void open(List<BenchDevice> devices, int parallel, int connectTimeoutMs) throws InterruptedException {
        Semaphore opening = new Semaphore(parallel);
        for (BenchDevice d : devices) {
            String path = "/api/vpcs/" + vpcId + "/events?public_key="
                    + URLEncoder.encode(d.publicKey, StandardCharsets.UTF_8);
            WatchStreamClient c = new WatchStreamClient(
                    clients.size(),
                    server,
                    WatchStreamClient.request(server, path, d.token, body),
                    watchesPerStream(),
                    connectTimeoutMs,
                    this);
            clients.add(c);
            opening.acquire();
            Thread.ofVirtual().name("watch-" + c.index()).start(() -> c.run(opening));
        }
    }

    int size() {
        return clients.size();
    }

    List<WatchStreamClient> clients() {
        return clients;
    }

    int openedCount() {
        return opened.get();
    }

    int syncedCount() {
        return synced.get();
    }

    int failedCount() {
        return failed.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Waits until {@code n} streams are synced or failed, up to {@code timeoutMs}; true if all synced. */
    boolean awaitSynced(int n, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (synced.get() + failed.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return synced.get() >= n;
    }

    /** Waits until {@code n} streams have received change {@code change}, up to {@code timeoutMs}; returns how many did. */
    int awaitChange(int change, int n, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (receivedCount.get(change) < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return receivedCount.get(change);
    }

    /** Arrival times of change {@code change} at the first {@code n} streams, minus {@code fromNanos}; missing ones skipped. */
    long[] delays(int change, int n, long fromNanos) {
        long[] out = new long[n];
        int k = 0;
        for (int w = 0; w < n; w++) {
            long t = received[change][w];
            if (t != 0) {
                out[k++] = t - fromNanos;
            }
        }
        return Arrays.copyOf(out, k);
    }

    void closeAll() {
        clients.forEach(WatchStreamClient::close);
    }

    @Override
    public void opened(WatchStreamClient c) {
        opened.incrementAndGet();
    }

    @Override
    public void synced(WatchStreamClient c) {
        synced.incrementAndGet();
    }

    @Override
    public void marker(WatchStreamClient c, int change, long nanos) {
        if (change < 0 || change >= maxChanges) {
            return;
        }
        if (received[change][c.index()] == 0) {
            received[change][c.index()] = nanos;
            receivedCount.incrementAndGet(change);
        }
    }

    @Override
    public void failed(WatchStreamClient c, String why) {
        failed.incrementAndGet();
        if (failures.size() < 20) {
            failures.add("stream " + c.index() + ": " + why);
        }
    }
}
