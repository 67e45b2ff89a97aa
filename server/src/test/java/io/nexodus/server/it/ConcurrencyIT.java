package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * IPAM and revisions under concurrency: 200 simultaneous registrations get 200 distinct addresses on H2, on
 * PostgreSQL, and split across two service instances sharing one PostgreSQL; a change made through one instance
 * reaches a watcher on the other (LISTEN/NOTIFY).
 */
class ConcurrencyIT {
    private static final int N = 200;

    @Test
    void concurrentRegistrationsGetDistinctAddressesOnH2() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            NexodusClient admin = ts.admin();
            String rk = regKey(admin);
            assertDistinct(registerConcurrently(List.of(ts.withToken(rk)), vpc(admin)), admin, vpc(admin));
        }
    }

    @Test
    void concurrentRegistrationsGetDistinctAddressesOnTwoInstancesSharingPostgres() throws Exception {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        try (TestServer a = TestServer.start(Db.POSTGRES);
                TestServer b = a.replica()) {
            NexodusClient admin = a.admin();
            String rk = regKey(admin);
            UUID vpc = vpc(admin);
            assertDistinct(registerConcurrently(List.of(a.withToken(rk), b.withToken(rk)), vpc), admin, vpc);
        }
    }

    @Test
    void aChangeThroughOneInstanceReachesAWatcherOnTheOther() throws Exception {
        try (TestServer a = TestServer.start(Db.POSTGRES);
                TestServer b = a.replica()) {
            NexodusClient onA = a.admin();
            NexodusClient onB = b.admin();
            UUID vpc = vpc(onA);
            try (WatchConnection w = onB.events().open(vpc, null, List.of(new Watch("device", 0, false, Map.of())))) {
                WatchEvent e = w.next();
                while (e != null && !e.type().equals("tail")) {
                    e = w.next();
                }
                assertThat(e).as("the initial list ends with a tail").isNotNull();
                long t0 = System.nanoTime();
                Device d = onA.devices()
                        .create(new AddDevice(
                                vpc,
                                Keys.generate().publicKey(),
                                null,
                                null,
                                false,
                                false,
                                "on-a",
                                null,
                                "linux",
                                null));
                e = w.next();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(e.type()).isEqualTo("change");
                assertThat(e.value().path("id").asText()).isEqualTo(d.id().toString());
                assertThat(ms).as("pushed through NOTIFY").isLessThan(5000);
                onA.devices().update(d.id(), UpdateDevice.empty().withHostname("renamed-on-a"));
                assertThat(w.next().value().path("hostname").asText()).isEqualTo("renamed-on-a");
                onB.devices().delete(d.id());
                assertThat(w.next().type()).isEqualTo("delete");
            }
        }
    }

    private static String regKey(NexodusClient admin) {
        UUID vpc = vpc(admin);
        RegKey k = admin.regKeys().create(new AddRegKey(vpc, null, "load", false, null, null, null));
        return k.bearerToken();
    }

    private static UUID vpc(NexodusClient admin) {
        return admin.users().me().id();
    }

    /** Registers N devices at once (all released by one latch), round-robin over the clients. */
    private static List<Device> registerConcurrently(List<NexodusClient> clients, UUID vpc) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Future<Device>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < N; i++) {
                NexodusClient c = clients.get(i % clients.size());
                String key = Keys.generate().publicKey();
                int n = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    try {
                        return c.devices()
                                .create(new AddDevice(
                                        vpc, key, null, null, false, false, "load-" + n, null, "linux", null));
                    } catch (ApiException e) {
                        errors.add(e);
                        throw e;
                    }
                }));
            }
            go.countDown();
            List<Device> out = new ArrayList<>();
            for (Future<Device> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(errors).isEmpty();
            return out;
        }
    }

    private static void assertDistinct(List<Device> devices, NexodusClient admin, UUID vpc) {
        Set<String> v4 = new HashSet<>(), v6 = new HashSet<>();
        for (Device d : devices) {
            v4.add(d.ipv4TunnelIps().get(0).address());
            v6.add(d.ipv6TunnelIps().get(0).address());
        }
        assertThat(v4).hasSize(N);
        assertThat(v6).hasSize(N);
        Set<Long> revisions = new HashSet<>();
        for (Device d : devices) {
            revisions.add(d.revision());
        }
        assertThat(revisions).as("one global revision sequence").hasSize(N);
        assertThat(admin.vpcs().devices(vpc, ListOptions.NONE).totalCount()).isEqualTo(N);
    }
}
