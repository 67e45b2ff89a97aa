package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.server.ConnectionCloseReason;
import io.nexodus.derp.server.DropReason;
import io.nexodus.server.ServerConfig;
import io.nexodus.server.relay.DerpRelayOptions;
import io.nexodus.server.relay.EmbeddedDerpRelay;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The service's public DERP relay and {@code /api/relays}: two DERP clients exchange packets through the embedded
 * relay over TLS, trusting only what the API published (as an agent does); the map's contents for the service's TLS
 * modes; administrators add and remove relays; the relay's counters on /metrics.
 */
class RelayIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private record Service(TestServer ts, EmbeddedDerpRelay relay) implements AutoCloseable {
        @Override
        public void close() {
            ts.close();
        }
    }

    private static Service start(UnaryOperator<ServerConfig> cfg, DerpRelayOptions options) throws Exception {
        EmbeddedDerpRelay relay = new EmbeddedDerpRelay(options);
        ServerConfig c = cfg.apply(ServerConfig.forTests(Files.createTempDirectory("nexodus-relay-")));
        return new Service(TestServer.start(c, List.of(relay)), relay);
    }

    private static RelayNode builtIn(RelayMap map) {
        RelayRegion r = map.regions().get("900");
        assertThat(r).as("region 900 in " + map).isNotNull();
        assertThat(r.builtIn()).isTrue();
        assertThat(r.regionCode()).isEqualTo("web");
        assertThat(r.regionName()).isEqualTo("NexodusDefault");
        assertThat(r.nodes()).hasSize(1);
        return r.nodes().getFirst();
    }

    /** The trust an agent builds from the published node: its CA PEM. */
    private static SSLContext trustFrom(RelayNode node) throws Exception {
        assertThat(node.customCa()).isTrue();
        assertThat(node.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
        return TrustBundles.trusting(Pem.parseCertificates(node.caPem()));
    }

    /** A packet a client received. Not a record: the bytes are the listener's own copy, compared by content here. */
    private static final class Got {
        private final NodePublicKey source;
        private final byte[] data;

        Got(NodePublicKey source, byte[] data) {
            this.source = source;
            this.data = data;
        }

        NodePublicKey source() {
            return source;
        }

        byte[] data() {
            return data;
        }
    }

    /** Registers a device with this key in the admin's own VPC (the relay admits devices only); returns its id. */
    private static UUID registerDevice(TestServer ts, NodePrivateKey key) {
        return registerDevice(ts, key, ts.admin().users().me().id());
    }

    private static UUID registerDevice(TestServer ts, NodePrivateKey key, UUID vpc) {
        NexodusClient admin = ts.admin();
        return admin.devices()
                .create(new AddDevice(
                        vpc,
                        key.publicKey().toBase64(),
                        null,
                        null,
                        false,
                        false,
                        "relay-client",
                        List.of(),
                        "linux",
                        null))
                .id();
    }

    /** Two registered devices' clients through the relay at {@code node.url()}; each sends to the other. */
    private static void exchangeThrough(TestServer ts, RelayNode node, SSLContext trust) throws Exception {
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        registerDevice(ts, ka);
        registerDevice(ts, kb);
        BlockingQueue<Got> toA = new LinkedBlockingQueue<>();
        BlockingQueue<Got> toB = new LinkedBlockingQueue<>();
        DerpClientListener la = (src, p) -> toA.add(new Got(src, p));
        DerpClientListener lb = (src, p) -> toB.add(new Got(src, p));
        URI url = URI.create(node.url());
        DerpClientConfig.Builder ba = DerpClientConfig.builder(url, ka);
        DerpClientConfig.Builder bb = DerpClientConfig.builder(url, kb);
        if (trust != null) {
            ba.sslContext(trust);
            bb.sslContext(trust);
        }
        try (DerpClient a = DerpClient.start(ba.build(), la);
                DerpClient b = DerpClient.start(bb.build(), lb)) {
            assertThat(a.awaitConnected(WAIT)).as("a connects to " + url).isTrue();
            assertThat(b.awaitConnected(WAIT)).as("b connects to " + url).isTrue();
            assertThat(a.send(kb.publicKey(), "hello b".getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
            Got g = toB.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(g).as("b receives").isNotNull();
            assertThat(g.source()).isEqualTo(ka.publicKey());
            assertThat(new String(g.data(), StandardCharsets.UTF_8)).isEqualTo("hello b");
            byte[] big = new byte[1400];
            big[1399] = 42;
            assertThat(b.send(ka.publicKey(), big)).isTrue();
            g = toA.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(g).as("a receives").isNotNull();
            assertThat(g.source()).isEqualTo(kb.publicKey());
            assertThat(g.data()).isEqualTo(big);
        }
    }

    /** Whether a client with {@code key} gets through the relay's handshake. */
    private static boolean connects(RelayNode node, SSLContext trust, NodePrivateKey key) throws Exception {
        try (DerpClient c = DerpClient.start(
                DerpClientConfig.builder(URI.create(node.url()), key)
                        .sslContext(trust)
                        .backoff(Duration.ofMillis(200), Duration.ofMillis(400))
                        .build(),
                (src, p) -> {})) {
            return c.awaitConnected(Duration.ofSeconds(3));
        }
    }

    private static String metrics(TestServer ts) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().sslContext(ts.tls().sslContext()).build();
        return http.send(
                        HttpRequest.newBuilder(URI.create(ts.url() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void serviceWithSelfSignedTlsServesTheRelayWithItsOwnCertificate() throws Exception {
        try (Service s = start(
                c -> c.withTlsSelfSigned(true), DerpRelayOptions.forTests().withStunPort(3478))) {
            NexodusClient admin = s.ts().admin();
            RelayMap map = admin.relays().list();
            assertThat(map.regions()).containsOnlyKeys("900");
            RelayNode node = builtIn(map);
            int port = s.relay().relay().orElseThrow().port();
            assertThat(node.name()).isEqualTo("900nex");
            assertThat(node.regionId()).isEqualTo(900);
            assertThat(node.hostName()).isEqualTo("127.0.0.1"); // the host of the service URL
            assertThat(node.derpPort()).isEqualTo(port);
            assertThat(node.stunPort()).isEqualTo(3478);
            assertThat(node.url()).isEqualTo("https://127.0.0.1:" + port + "/derp");
            assertThat(node.caPem())
                    .as("the service's own CA")
                    .isEqualTo(Files.readString(s.ts().server().caFile()));

            exchangeThrough(s.ts(), node, trustFrom(node));

            String m = metrics(s.ts());
            assertThat(m)
                    .containsPattern("nexodus_derp_packets_sent_total\\S* 2\\.0")
                    .containsPattern("nexodus_derp_accepts_total\\S* 2\\.0")
                    .contains("nexodus_derp_current_connections")
                    .containsPattern("nexodus_derp_packets_dropped_total\\{reason=\"queue_head\"\\S* 0\\.0");

            // a key that is not a registered device's is refused, and so is a deleted device's
            NodePrivateKey stranger = NodePrivateKey.generate();
            assertThat(connects(node, trustFrom(node), stranger))
                    .as("a stranger's key")
                    .isFalse();
            NodePrivateKey gone = NodePrivateKey.generate();
            UUID goneId = registerDevice(s.ts(), gone);
            assertThat(connects(node, trustFrom(node), gone))
                    .as("a device's key")
                    .isTrue();
            s.ts().admin().devices().delete(goneId);
            assertThat(connects(node, trustFrom(node), gone))
                    .as("a deleted device's key")
                    .isFalse();
            assertThat(s.relay().relay().orElseThrow().stats().closed(ConnectionCloseReason.CLIENT_NOT_VERIFIED))
                    .as("refused handshakes (a refused client retries)")
                    .isGreaterThanOrEqualTo(2);

            // a client that trusts only the JDK's public CAs is refused: the CA must come from the API
            NodePrivateKey k = NodePrivateKey.generate();
            try (DerpClient untrusting = DerpClient.start(
                    DerpClientConfig.builder(URI.create(node.url()), k)
                            .backoff(Duration.ofMillis(50), Duration.ofMillis(100))
                            .build(),
                    (src, p) -> {})) {
                assertThat(untrusting.awaitConnected(Duration.ofMillis(1500))).isFalse();
            }
            assertThat(s.relay().describe())
                    .contains("https://127.0.0.1:" + port + "/derp")
                    .contains("the service's certificate");
        }
    }

    /** Packets pass only between devices of one VPC; a deleted device's connection is closed within a second. */
    @Test
    void theRelayKeepsVpcsApartAndCutsOffDeletedDevices() throws Exception {
        try (Service s = start(c -> c.withTlsSelfSigned(true), DerpRelayOptions.forTests())) {
            NexodusClient admin = s.ts().admin();
            RelayNode node = builtIn(admin.relays().list());
            SSLContext trust = trustFrom(node);
            UUID otherVpc = admin.vpcs()
                    .create(new AddVpc(admin.users().me().id(), "other", false, null, null))
                    .id();
            NodePrivateKey ka = NodePrivateKey.generate(), kb = NodePrivateKey.generate();
            NodePrivateKey stranger = NodePrivateKey.generate();
            registerDevice(s.ts(), ka);
            UUID bId = registerDevice(s.ts(), kb);
            registerDevice(s.ts(), stranger, otherVpc);
            BlockingQueue<Got> toA = new LinkedBlockingQueue<>();
            BlockingQueue<Got> toB = new LinkedBlockingQueue<>();
            try (DerpClient a = client(node, trust, ka, toA);
                    DerpClient b = client(node, trust, kb, toB);
                    DerpClient x = client(node, trust, stranger, new LinkedBlockingQueue<>())) {
                assertThat(a.awaitConnected(WAIT) && b.awaitConnected(WAIT) && x.awaitConnected(WAIT))
                        .as("all three are registered devices")
                        .isTrue();
                assertThat(x.send(ka.publicKey(), new byte[] {6, 6, 6})).isTrue();
                assertThat(b.send(ka.publicKey(), new byte[] {1})).isTrue();
                Got g = toA.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(g).as("a hears from b, of its VPC").isNotNull();
                assertThat(g.source()).isEqualTo(kb.publicKey());
                assertThat(toA.poll(500, TimeUnit.MILLISECONDS))
                        .as("nothing from the device of another VPC")
                        .isNull();
                assertThat(s.relay().relay().orElseThrow().stats().dropped(DropReason.POLICY))
                        .isEqualTo(1);
                assertThat(metrics(s.ts()))
                        .containsPattern("nexodus_derp_packets_dropped_total\\{reason=\"policy\"\\S* 1\\.0");

                long deletedAt = System.nanoTime();
                admin.devices().delete(bId);
                await().atMost(Duration.ofSeconds(1))
                        .until(() ->
                                s.relay().relay().orElseThrow().stats().closed(ConnectionCloseReason.EVICTED) == 1);
                System.out.printf(
                        "deleted device disconnected %d ms after the API call%n",
                        (System.nanoTime() - deletedAt) / 1_000_000);
                Thread.sleep(1000); // b's client retries meanwhile
                assertThat(s.relay().relay().orElseThrow().derpServer().isConnected(kb.publicKey()))
                        .as("the deleted device is not admitted again")
                        .isFalse();
            }
        }
    }

    private static DerpClient client(RelayNode node, SSLContext trust, NodePrivateKey key, BlockingQueue<Got> inbox)
            throws Exception {
        return DerpClient.start(
                DerpClientConfig.builder(URI.create(node.url()), key)
                        .sslContext(trust)
                        .backoff(Duration.ofMillis(200), Duration.ofMillis(400))
                        .build(),
                (src, p) -> inbox.add(new Got(src, p)));
    }

    @Test
    void plainServiceRunsTheRelayWithItsOwnSelfSignedCa() throws Exception {
        try (Service s =
                start(UnaryOperator.identity(), DerpRelayOptions.forTests().withHostname("localhost"))) {
            RelayNode node = builtIn(s.ts().admin().relays().list());
            assertThat(s.ts().url()).startsWith("http://");
            assertThat(node.url()).startsWith("https://localhost:");
            assertThat(node.stunPort()).isEqualTo(-1);
            assertThat(node.caPem())
                    .isEqualTo(Files.readString(s.ts().config().dataDir().resolve("derp-tls/ca.crt")));
            exchangeThrough(s.ts(), node, trustFrom(node));
            assertThat(s.relay().describe()).contains("own self-signed CA");
        }
    }

    @Test
    void plainHttpOnlyWhenAskedFor() throws Exception {
        try (Service s =
                start(UnaryOperator.identity(), DerpRelayOptions.forTests().withPlainHttp(true))) {
            RelayNode node = builtIn(s.ts().admin().relays().list());
            assertThat(node.url()).startsWith("http://127.0.0.1:");
            assertThat(node.customCa()).isFalse();
            assertThat(node.caPem()).isNull();
            exchangeThrough(s.ts(), node, null);
        }
    }

    @Test
    void everyCallerReadsOnlyAdministratorsChangeAndInputIsChecked() throws Exception {
        try (Service s = start(c -> c.withTlsSelfSigned(true), DerpRelayOptions.forTests())) {
            TestServer ts = s.ts();
            NexodusClient admin = ts.admin();
            NexodusClient alice = ts.newUser("alice");

            // a device token (and a registration key) may read the map, as agents do
            var rk = alice.regKeys()
                    .create(new AddRegKey(alice.users().me().id(), null, "relay test", false, null, null, null));
            assertThat(ts.withToken(rk.bearerToken()).relays().list().regions()).containsKey("900");
            Keys k = Keys.generate();
            Device d = alice.devices()
                    .create(new AddDevice(
                            alice.users().me().id(),
                            k.publicKey(),
                            null,
                            null,
                            false,
                            false,
                            "d",
                            null,
                            "linux",
                            null));
            NexodusClient device = ts.withToken(SealedToken.open(d.bearerToken(), k.privateKey()));
            assertThat(device.relays().list().regions()).containsOnlyKeys("900");

            String ca = Files.readString(ts.server().caFile());
            RelayRegion added = admin.relays()
                    .create(new AddRelay(
                            null, "eu-west", "Europe West", "relay1.example.com", "203.0.113.7", null, null, null, ca));
            assertThat(added.regionId()).isEqualTo(902);
            assertThat(added.builtIn()).isFalse();
            RelayNode n = added.nodes().getFirst();
            assertThat(n)
                    .isEqualTo(new RelayNode(
                            "902nex",
                            902,
                            "relay1.example.com",
                            "203.0.113.7",
                            null,
                            443,
                            3478,
                            "https://relay1.example.com:443/derp",
                            true,
                            ca));
            RelayRegion second = admin.relays()
                    .create(new AddRelay(950, "lab", null, "2001:db8::5", null, "2001:db8::5", 8443, -1, null));
            assertThat(second.regionName()).isEqualTo("lab");
            assertThat(second.nodes().getFirst().url()).isEqualTo("https://[2001:db8::5]:8443/derp");
            assertThat(second.nodes().getFirst().customCa()).isFalse();
            assertThat(second.nodes().getFirst().stunPort()).isEqualTo(-1);
            RelayRegion third = admin.relays()
                    .create(new AddRelay(null, "us", null, "relay3.example.com", null, null, null, null, null));
            assertThat(third.regionId()).isEqualTo(903);

            RelayMap map = device.relays().list();
            assertThat(map.regions()).containsOnlyKeys("900", "902", "903", "950");
            assertThat(map.sorted().stream().map(RelayRegion::regionId)).containsExactly(900, 902, 903, 950);
            assertThat(map.regions().get("902")).isEqualTo(added);

            // only administrators change the list
            for (NexodusClient notAdmin : List.of(alice, device, ts.withToken(rk.bearerToken()))) {
                assertThat(status(() -> notAdmin.relays()
                                .create(new AddRelay(null, "x", null, "x.example.com", null, null, null, null, null))))
                        .isEqualTo(403);
                assertThat(status(() -> notAdmin.relays().delete(902))).isEqualTo(403);
            }
            // bad input: clear errors naming the field, nothing stored
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, null, null, "h.example.com", null, null, null, null, null))))
                    .isEqualTo("region_code");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(
                                    null, "Bad Code", null, "h.example.com", null, null, null, null, null))))
                    .isEqualTo("region_code");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, "c1", null, "bad host!", null, null, null, null, null))))
                    .isEqualTo("host_name");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, "c1", null, "999.1.2.3", null, null, null, null, null))))
                    .isEqualTo("host_name");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, "c1", null, "h.example.com", "1.2.3", null, null, null, null))))
                    .isEqualTo("ipv4");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(
                                    null, "c1", null, "h.example.com", null, "10.0.0.1", null, null, null))))
                    .isEqualTo("ipv6");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, "c1", null, "h.example.com", null, null, 0, null, null))))
                    .isEqualTo("derp_port");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(null, "c1", null, "h.example.com", null, null, null, 70000, null))))
                    .isEqualTo("stun_port");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(
                                    null, "c1", null, "h.example.com", null, null, null, null, "not a pem"))))
                    .isEqualTo("ca_pem");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(901, "c1", null, "h.example.com", null, null, null, null, null))))
                    .isEqualTo("region_id");
            assertThat(field(() -> admin.relays()
                            .create(new AddRelay(900, "c1", null, "h.example.com", null, null, null, null, null))))
                    .isEqualTo("region_id");
            // duplicates: 409 naming the existing region
            ApiException dup = error(() -> admin.relays()
                    .create(new AddRelay(null, "eu-west", null, "other.example.com", null, null, null, null, null)));
            assertThat(dup.status()).isEqualTo(409);
            assertThat(dup.body().toString()).contains("902");
            assertThat(status(() -> admin.relays()
                            .create(new AddRelay(950, "other", null, "o.example.com", null, null, null, null, null))))
                    .isEqualTo(409);
            assertThat(status(() -> admin.relays()
                            .create(new AddRelay(null, "web", null, "o.example.com", null, null, null, null, null))))
                    .isEqualTo(409);
            assertThat(admin.relays().list().regions()).hasSize(4);

            // removal; the built-in relay cannot be removed; unknown ids are 404, non-numbers 400
            assertThat(admin.relays().delete(902)).isEqualTo(added);
            assertThat(status(() -> admin.relays().delete(902))).isEqualTo(404);
            assertThat(status(() -> admin.relays().delete(900))).isEqualTo(400);
            assertThat(admin.relays().list().regions()).containsOnlyKeys("900", "903", "950");
            assertThat(admin.relays()
                            .create(new AddRelay(
                                    null, "eu-west-2", null, "relay2.example.com", null, null, null, null, null))
                            .regionId())
                    .as("freed ids are reused")
                    .isEqualTo(902);
            HttpClient http =
                    HttpClient.newBuilder().sslContext(ts.tls().sslContext()).build();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(ts.url() + "/api/relays/abc"))
                            .header(
                                    "Authorization",
                                    "Bearer "
                                            + ts.login("admin", TestServer.ADMIN_PASSWORD)
                                                    .accessToken())
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("region_id");
        }
    }

    private static ApiException error(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    private static int status(Runnable r) {
        return error(r).status();
    }

    private static String field(Runnable r) {
        ApiException e = error(r);
        assertThat(e.status()).as(e.getMessage()).isEqualTo(400);
        return e.field().orElse("(none: " + e.getMessage() + ")");
    }

    @Test
    void relaysAddedByAnAdministratorSurviveARestartAndTheRelayKeepsItsKey() throws Exception {
        Path dir = Files.createTempDirectory("nexodus-relay-restart-");
        ServerConfig cfg = ServerConfig.forTests(dir);
        NodePublicKey first;
        EmbeddedDerpRelay relay = new EmbeddedDerpRelay(DerpRelayOptions.forTests());
        TestServer ts = TestServer.start(cfg, List.of(relay));
        try {
            ts.admin()
                    .relays()
                    .create(new AddRelay(null, "kept", null, "kept.example.com", null, null, null, null, null));
            first = relay.relay().orElseThrow().publicKey();
        } finally {
            ts.server().close(); // keeps the data directory
        }
        EmbeddedDerpRelay again = new EmbeddedDerpRelay(DerpRelayOptions.forTests());
        try (TestServer ts2 = TestServer.start(cfg, List.of(again))) {
            assertThat(ts2.admin().relays().list().regions()).containsOnlyKeys("900", "902");
            assertThat(again.relay().orElseThrow().publicKey())
                    .as("key kept in <data-dir>/derp.key")
                    .isEqualTo(first);
            assertThat(Files.exists(dir.resolve("derp.key"))).isTrue();
        }
    }
}
