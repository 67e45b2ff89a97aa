package io.nexodus.server.tools;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.*;
import io.nexodus.api.model.*;
import io.nexodus.api.crypto.WireGuardKeys;
import java.net.URI;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * A quick control-plane probe against a running service (not the benchmark suite, which lives in bench/): registers
 * DEVICES devices through a registration key (32 concurrent clients), opens WATCHERS watch streams on their VPC (at
 * most 200 opening at once), then times one change reaching every watcher. With -Dprobe.hold=true it keeps the streams
 * open until /tmp/nxbench/go exists, so the service's heap can be inspected (jcmd PID GC.class_histogram).
 * Usage: ControlPlaneProbe URL DEVICES WATCHERS ADMIN_PASSWORD
 */
public final class ControlPlaneProbe {
    public static void main(String[] a) throws Exception {
        URI url = URI.create(a[0]);
        int devices = Integer.parseInt(a[1]), watchers = Integer.parseInt(a[2]);
        NexodusClient anon = NexodusClient.builder(url).build();
        String tok = OidcClient.discover(anon).passwordGrant("admin", a[3]).accessToken();
        NexodusClient api = anon.withToken(() -> tok);
        UUID org = api.users().me().id();
        Vpc vpc = api.vpcs().create(new AddVpc(org, "probe", true, "10.128.0.0/9", null));
        String rk = api.regKeys().create(new AddRegKey(vpc.id(), null, "probe", false, null, null, null)).bearerToken();
        NexodusClient viaKey = anon.withToken(() -> rk);
        long t0 = System.nanoTime();
        try (ExecutorService ex = Executors.newFixedThreadPool(32)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                int n = i;
                fs.add(ex.submit(() -> viaKey.devices().create(new AddDevice(vpc.id(), WireGuardKeys.toBase64(WireGuardKeys.publicKey(WireGuardKeys.generatePrivateKey())),
                        null, null, false, false, "d" + n, null, "linux", null))));
            }
            for (Future<?> f : fs) f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("registered %d devices in %.1f s: %.0f/s (32 concurrent clients)%n", devices, secs, devices / secs);
        // N watchers, each its own HTTP connection

        List<WatchConnection> conns = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<Integer, Long> seen = new ConcurrentHashMap<>();
        AtomicLong marker = new AtomicLong(-1);
        CountDownLatch synced = new CountDownLatch(watchers);
        long t1 = System.nanoTime();
        Semaphore opening = new Semaphore(200);
        for (int i = 0; i < watchers; i++) {
            opening.acquire();
            int id = i;
            NexodusClient c = api;
            Thread.ofVirtual().start(() -> {
                WatchConnection w0;
                try {
                    w0 = c.events().open(vpc.id(), null, List.of(new Watch("device", 0, false, Map.of())));
                } catch (Exception e) { opening.release(); synced.countDown(); System.err.println("watch " + id + ": " + e); return; }
                opening.release();
                try (WatchConnection w = w0) {
                    conns.add(w);
                    WatchEvent e;
                    while ((e = w.next()) != null) {
                        if (e.type().equals("tail")) synced.countDown();
                        else if (e.value() != null && e.value().path("hostname").asText().equals("MARK")) seen.put(id, System.nanoTime());
                    }
                } catch (Exception e) { synced.countDown(); System.err.println("watch " + id + ": " + e); }
            });
        }
        synced.await(600, TimeUnit.SECONDS);
        System.out.printf("%d watchers synced (each got %d devices) in %.1f s%n", watchers, devices, (System.nanoTime() - t1) / 1e9);
        Runtime rt = Runtime.getRuntime();
        Thread.sleep(1000);
        long tc = System.nanoTime();
        api.devices().create(new AddDevice(vpc.id(), WireGuardKeys.toBase64(WireGuardKeys.publicKey(WireGuardKeys.generatePrivateKey())), null, null, false, false, "MARK", null, "linux", null));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (seen.size() < watchers && System.nanoTime() < deadline) Thread.sleep(10);
        long[] lat = seen.values().stream().mapToLong(v -> (v - tc) / 1_000_000).sorted().toArray();
        System.out.printf("fan-out of one change to %d/%d watchers: p50 %d ms, p99 %d ms, max %d ms%n", lat.length, watchers,
                lat[lat.length / 2], lat[(int) (lat.length * 0.99)], lat[lat.length - 1]);
        if (Boolean.getBoolean("probe.hold")) {
            System.out.println("holding streams; touch /tmp/nxbench/go to end");
            System.out.flush();
            while (!new java.io.File("/tmp/nxbench/go").exists()) Thread.sleep(200);
        }
        conns.forEach(WatchConnection::close);
        System.exit(0);
    }

}
