package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Invitation;
import io.nexodus.api.model.Notice;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.api.watch.SharedInformers;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The watch stream (PRODUCT.md §3.2) on H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(Db.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchIT {
    @Parameter
    Db db;

    private TestServer ts;
    private NexodusClient alice;
    private UUID home;

    @BeforeAll
    void start() {
        // feeds are refreshed only by commit signals (the keep-alive never reads the database), so a quick event was
        // pushed;
        // a short keep-alive finds closed connections fast (online status)
        ts = TestServer.start(db, c -> c.withHeartbeat(Duration.ofSeconds(1)));
        alice = ts.newUser("watcher");
        home = alice.users().me().id();
    }

    @AfterAll
    void stop() {
        if (ts != null) {
            ts.close();
        }
    }

    private Device register(NexodusClient c, UUID vpc, Keys k, String host) {
        return c.devices()
                .create(new AddDevice(
                        vpc, k.publicKey(), List.of(), null, false, false, host, List.of(), "linux", null));
    }

    /** Reads events on a background thread into a queue. */
    private static final class Reader implements AutoCloseable {
        final WatchConnection conn;
        final BlockingQueue<WatchEvent> events = new ArrayBlockingQueue<>(10_000);
        final Thread thread;

        Reader(WatchConnection conn) {
            this.conn = conn;
            this.thread = Thread.ofVirtual().start(() -> {
                try {
                    WatchEvent e;
                    while ((e = conn.next()) != null) {
                        events.add(e);
                    }
                } catch (RuntimeException ignored) {
                    // closed
                }
            });
        }

        WatchEvent next() throws InterruptedException {
            WatchEvent e = events.poll(5, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no event within 5 s");
            }
            return e;
        }

        List<WatchEvent> untilTail() throws InterruptedException {
            List<WatchEvent> out = new ArrayList<>();
            while (true) {
                WatchEvent e = next();
                if (e.type().equals("tail")) {
                    return out;
                }
                out.add(e);
            }
        }

        void assertQuiet(Duration d) throws InterruptedException {
            WatchEvent e = events.poll(d.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("unexpected event").isNull();
        }

        @Override
        public void close() {
            conn.close();
        }
    }

    private static Watch watch(String kind, long gt, boolean atTail, UUID vpc) {
        return new Watch(kind, gt, atTail, Map.of("vpc-id", vpc.toString()));
    }

    @Test
    void initialListTailLiveChangesAndDeletes() throws Exception {
        Vpc vpc = alice.vpcs().create(new AddVpc(home, "w1", true, "10.9.0.0/24", null));
        Device a = register(alice, vpc.id(), Keys.generate(), "a");
        Device gone = register(alice, vpc.id(), Keys.generate(), "gone");
        alice.devices().delete(gone.id());
        try (Reader r = new Reader(alice.events()
                .open(List.of(
                        watch("device", 0, false, vpc.id()),
                        watch("security-group", 0, false, vpc.id()),
                        watch("vpc", 0, false, vpc.id()))))) {
            List<WatchEvent> initial = new ArrayList<>();
            int tails = 0;
            while (tails < 3) {
                WatchEvent e = r.next();
                if (e.type().equals("tail")) {
                    tails++;
                } else {
                    initial.add(e);
                }
            }
            // a fresh list has no deletes: the client never saw "gone"
            assertThat(initial).extracting(WatchEvent::type).containsOnly("change");
            assertThat(initial)
                    .filteredOn(e -> e.kind().equals("device"))
                    .extracting(e -> e.value().path("hostname").asText())
                    .containsExactly("a");
            assertThat(initial)
                    .filteredOn(e -> e.kind().equals("security-group"))
                    .hasSize(1);
            assertThat(initial)
                    .filteredOn(e -> e.kind().equals("vpc"))
                    .extracting(e -> e.value().path("id").asText())
                    .containsExactly(vpc.id().toString());

            long t0 = System.nanoTime();
            Device b = register(alice, vpc.id(), Keys.generate(), "b");
            WatchEvent e = r.next();
            assertThat(System.nanoTime() - t0)
                    .as("pushed on commit")
                    .isLessThan(Duration.ofSeconds(5).toNanos());
            assertThat(e.kind()).isEqualTo("device");
            assertThat(e.type()).isEqualTo("change");
            assertThat(e.value().path("id").asText()).isEqualTo(b.id().toString());
            assertThat(e.value().has("bearer_token")).isFalse();

            alice.devices().update(a.id(), UpdateDevice.empty().withHostname("a2"));
            assertThat(r.next().value().path("hostname").asText()).isEqualTo("a2");
            alice.devices().delete(b.id());
            WatchEvent del = r.next();
            assertThat(del.type()).isEqualTo("delete");
            assertThat(del.value().path("id").asText()).isEqualTo(b.id().toString());
            assertThat(del.value().path("public_key").asText()).isEqualTo(b.publicKey());

            SecurityGroup g = alice.securityGroups().create(new AddSecurityGroup("g", vpc.id(), List.of(), List.of()));
            WatchEvent sg = r.next();
            assertThat(sg.kind()).isEqualTo("security-group");
            assertThat(sg.value().path("id").asText()).isEqualTo(g.id().toString());
            alice.vpcs().update(vpc.id(), new UpdateVpc("renamed"));
            WatchEvent v = r.next();
            assertThat(v.kind()).isEqualTo("vpc");
            assertThat(v.value().path("description").asText()).isEqualTo("renamed");
            // a change elsewhere does not reach this stream
            register(alice, home, Keys.generate(), "elsewhere");
            r.assertQuiet(Duration.ofMillis(300));
        }
    }

    @Test
    void resumesWithGtRevisionAndAtTailWithoutMissingAnything() throws Exception {
        Vpc vpc = alice.vpcs().create(new AddVpc(home, "w2", true, "10.9.1.0/24", null));
        Device a = register(alice, vpc.id(), Keys.generate(), "a");
        Device b = register(alice, vpc.id(), Keys.generate(), "b");
        long last;
        try (Reader r = new Reader(alice.events().open(List.of(watch("device", 0, false, vpc.id()))))) {
            List<WatchEvent> list = r.untilTail();
            assertThat(list).hasSize(2);
            last = list.stream()
                    .mapToLong(e -> e.value().path("revision").asLong())
                    .max()
                    .orElseThrow();
        }
        // while disconnected
        alice.devices().update(a.id(), UpdateDevice.empty().withHostname("a-offline"));
        alice.devices().delete(b.id());
        Device c = register(alice, vpc.id(), Keys.generate(), "c");
        try (Reader r = new Reader(alice.events().open(List.of(watch("device", last, true, vpc.id()))))) {
            List<WatchEvent> got = List.of(r.next(), r.next(), r.next());
            assertThat(got)
                    .extracting(e -> e.type() + " " + e.value().path("id").asText())
                    .containsExactly("change " + a.id(), "delete " + b.id(), "change " + c.id());
            r.assertQuiet(Duration.ofMillis(300)); // and no second tail
        }
        // resuming with at_tail=false from a revision: deletes still come, then one tail
        try (Reader r = new Reader(alice.events().open(List.of(watch("device", last, false, vpc.id()))))) {
            assertThat(r.untilTail()).extracting(WatchEvent::type).containsExactly("change", "delete", "change");
        }
    }

    @Test
    void informersOverOneStreamAsADevice() throws Exception {
        Vpc vpc = alice.vpcs().create(new AddVpc(home, "w3", true, "10.9.2.0/24", null));
        Keys k = Keys.generate();
        Device me = register(alice, vpc.id(), k, "me");
        NexodusClient asDevice = ts.withToken(SealedToken.open(me.bearerToken(), k.privateKey()));
        Device peer = register(alice, vpc.id(), Keys.generate(), "peer");
        alice.devices().putMetadata(peer.id(), "relay", Map.of("type", "derp"));
        alice.devices().putMetadata(peer.id(), "other", 1);
        try (SharedInformers inf = new SharedInformers(asDevice, vpc.id(), k.publicKey())) {
            Informer<Device> devices = inf.devices();
            Informer<SecurityGroup> groups = inf.securityGroups();
            Informer<DeviceMetadata> relays = inf.deviceMetadata("relay");
            inf.start();
            assertThat(inf.awaitSynced(Duration.ofSeconds(10))).isTrue();
            assertThat(devices.items())
                    .containsOnlyKeys(me.id().toString(), peer.id().toString());
            assertThat(groups.items()).containsOnlyKeys(vpc.id().toString());
            assertThat(relays.items()).containsOnlyKeys(peer.id() + "/relay");
            // online while the stream is open
            assertThat(alice.devices().get(me.id()).online()).isTrue();
            long v = devices.version();
            alice.devices().update(peer.id(), UpdateDevice.empty().withHostname("peer2"));
            while (devices.get(peer.id().toString()).orElseThrow().hostname().equals("peer")) {
                long nv = devices.awaitChange(v, Duration.ofSeconds(5));
                assertThat(nv).as("change notification").isNotEqualTo(v);
                v = nv;
            }
            alice.devices().deleteMetadata(peer.id(), "relay");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (relays.size() > 0 && System.nanoTime() < deadline) {
                relays.awaitChange(relays.version(), Duration.ofMillis(200));
            }
            assertThat(relays.items()).isEmpty();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (alice.devices().get(me.id()).online() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(alice.devices().get(me.id()).online())
                .as("offline after the stream closed")
                .isFalse();
        assertThat(alice.devices().get(me.id()).onlineAt()).isNotNull();
    }

    @Test
    void aDeviceTokenStreamEndsWhenTheDeviceIsDeleted() throws Exception {
        Keys k = Keys.generate();
        Device me = register(alice, home, k, "doomed");
        NexodusClient asDevice = ts.withToken(SealedToken.open(me.bearerToken(), k.privateKey()));
        WatchConnection conn = asDevice.events().open(home, null, List.of(watch("device", 0, false, home)));
        try (Reader r = new Reader(conn)) {
            r.untilTail();
            alice.devices().delete(me.id());
            r.thread.join(Duration.ofSeconds(5));
            assertThat(r.thread.isAlive()).as("stream ended").isFalse();
        }
    }

    @Test
    void aDeviceMovingToAnotherVpcIsDeletedFromTheOldOne() throws Exception {
        Vpc v1 = alice.vpcs().create(new AddVpc(home, "from", true, "10.9.3.0/24", null));
        Vpc v2 = alice.vpcs().create(new AddVpc(home, "to", true, "10.9.4.0/24", null));
        Device d = register(alice, v1.id(), Keys.generate(), "mover");
        alice.devices().putMetadata(d.id(), "k", "v");
        try (Reader old = new Reader(alice.events()
                        .open(List.of(
                                watch("device", 0, false, v1.id()), watch("device-metadata", 0, false, v1.id()))));
                Reader neu = new Reader(alice.events()
                        .open(List.of(
                                watch("device", 0, false, v2.id()), watch("device-metadata", 0, false, v2.id()))))) {
            assertThat(old.next().type()).isEqualTo("change");
            // drain the initial lists
            int tails = 0;
            while (tails < 2) {
                if (old.next().type().equals("tail")) {
                    tails++;
                }
            }
            tails = 0;
            while (tails < 2) {
                if (neu.next().type().equals("tail")) {
                    tails++;
                }
            }
            Device moved =
                    alice.devices().update(d.id(), new UpdateDevice(v2.id(), null, null, null, null, null, null, null));
            assertThat(moved.vpcId()).isEqualTo(v2.id());
            assertThat(moved.ipv4TunnelIps().get(0).cidr()).isEqualTo("10.9.4.0/24");
            assertThat(moved.securityGroupId()).isEqualTo(v2.id());
            List<String> oldEvents = List.of(old.next(), old.next()).stream()
                    .map(e -> e.kind() + " " + e.type())
                    .sorted()
                    .toList();
            assertThat(oldEvents).containsExactly("device delete", "device-metadata delete");
            List<String> newEvents = List.of(neu.next(), neu.next()).stream()
                    .map(e -> e.kind() + " " + e.type())
                    .sorted()
                    .toList();
            assertThat(newEvents).containsExactly("device change", "device-metadata change");
        }
    }

    @Test
    void requestsAreValidatedAndScoped() {
        NexodusClient mallory = ts.newUser("mallory");
        ApiException bad = assertThrows(() ->
                alice.events().open(List.of(new Watch("nope", 0, false, Map.of("vpc-id", home.toString())))));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.field()).contains("[0].kind");
        assertThat(assertThrows(() -> alice.events().open(List.of(new Watch("device", 0, false, Map.of()))))
                        .field())
                .contains("[0].options.vpc-id");
        assertThat(assertThrows(() -> mallory.events().open(List.of(watch("device", 0, false, home))))
                        .status())
                .isEqualTo(404);
        assertThat(assertThrows(() -> mallory.events().open(home, null, List.of(watch("device", 0, false, home))))
                        .status())
                .isEqualTo(404);
        var rk = alice.regKeys().create(new AddRegKey(home, null, "", false, null, null, null));
        assertThat(assertThrows(() ->
                                ts.withToken(rk.bearerToken()).events().open(List.of(watch("device", 0, false, home))))
                        .status())
                .isEqualTo(403);
        assertThatThrownBy(() -> ts.anonymous().events().open(List.of(watch("device", 0, false, home))))
                .isInstanceOf(ApiException.class);
    }

    private static ApiException assertThrows(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    @Test
    void manyWatchersShareOneDatabaseReadPerChange() throws Exception {
        Vpc vpc = alice.vpcs().create(new AddVpc(home, "fan", true, "10.9.5.0/24", null));
        int n = 50;
        List<Reader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                readers.add(new Reader(alice.events().open(List.of(watch("device", 0, false, vpc.id())))));
            }
            for (Reader r : readers) {
                r.untilTail();
            }
            double before = feedReads();
            register(alice, vpc.id(), Keys.generate(), "fan-out");
            for (Reader r : readers) {
                assertThat(r.next().type()).isEqualTo("change");
            }
            assertThat(feedReads() - before)
                    .as("database reads for one change seen by %d watchers", n)
                    .isLessThanOrEqualTo(2);
        } finally {
            readers.forEach(Reader::close);
        }
    }

    /** Reads a user's notice stream ({@code GET /api/notices}) on a background thread, blank heartbeats skipped. */
    private static final class NoticeReader implements AutoCloseable {
        final BlockingQueue<String> kinds = new ArrayBlockingQueue<>(1000);
        final HttpResponse<Stream<String>> response;

        NoticeReader(String url, String token) throws Exception {
            response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/api/notices"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;stream=watch");
            Thread.ofVirtual().start(() -> {
                try {
                    response.body()
                            .filter(l -> !l.isBlank())
                            .map(NoticeReader::kind)
                            .forEach(kinds::add);
                } catch (RuntimeException ignored) {
                    // closed
                }
            });
            assertThat(next()).isEqualTo(Notice.READY);
        }

        private static String kind(String line) {
            try {
                return Json.mapper().readValue(line, Notice.class).kind();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String next() throws InterruptedException {
            String k = kinds.poll(5, TimeUnit.SECONDS);
            if (k == null) {
                throw new AssertionError("no notice within 5 s");
            }
            return k;
        }

        /** The kinds that arrive within {@code millis} after the last one. */
        Set<String> drain(long millis) throws InterruptedException {
            Set<String> out = new TreeSet<>();
            String k;
            while ((k = kinds.poll(millis, TimeUnit.MILLISECONDS)) != null) {
                out.add(k);
            }
            return out;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    @Test
    void noticesTellEachUserWhichOfItsListsChanged() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        NexodusClient admin = ts.admin();
        admin.accounts().create(new AddAccount("nowner-" + suffix, "password-" + suffix, "Owner", null));
        admin.accounts().create(new AddAccount("nguest-" + suffix, "password-" + suffix, "Guest", null));
        NexodusClient owner = ts.loggedIn("nowner-" + suffix, "password-" + suffix);
        NexodusClient guest = ts.loggedIn("nguest-" + suffix, "password-" + suffix);
        UUID ownerOrg = owner.users().me().id();
        UUID guestId = guest.users().me().id();
        try (NoticeReader ownerNotices = new NoticeReader(
                        ts.url(),
                        ts.login("nowner-" + suffix, "password-" + suffix).accessToken());
                NoticeReader guestNotices = new NoticeReader(
                        ts.url(),
                        ts.login("nguest-" + suffix, "password-" + suffix).accessToken())) {
            // a VPC in the owner's organization: the owner is told, the guest (not a member) is not
            Vpc vpc = owner.vpcs().create(new AddVpc(ownerOrg, "noticed", true, "10.9.9.0/24", null));
            assertThat(ownerNotices.drain(500)).contains(Notice.VPCS);
            assertThat(guestNotices.drain(300)).doesNotContain(Notice.VPCS);

            // an invitation: both sides see their invitation lists change
            Invitation inv = owner.invitations().create(new AddInvitation(guestId, null, ownerOrg, null));
            assertThat(ownerNotices.drain(500)).contains(Notice.INVITATIONS);
            assertThat(guestNotices.drain(500)).contains(Notice.INVITATIONS);

            // accepted: the owner's member list and the guest's organizations change
            guest.invitations().accept(inv.id());
            assertThat(ownerNotices.drain(500)).contains(Notice.ORGANIZATIONS, Notice.INVITATIONS);
            assertThat(guestNotices.drain(500)).contains(Notice.ORGANIZATIONS, Notice.INVITATIONS);

            // the guest's open stream now covers the organization it joined
            owner.regKeys().create(new AddRegKey(vpc.id(), null, "noticed", false, null, null, null));
            assertThat(guestNotices.drain(500)).contains(Notice.REG_KEYS);
        }
    }

    private double feedReads() throws Exception {
        var http = HttpClient.newHttpClient();
        String body = http.send(
                        HttpRequest.newBuilder(URI.create(ts.url() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines()
                .filter(l -> l.startsWith("nexodus_watch_feed_reads_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
    }
}
