package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.OpenApiContract;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Signed peer maps through the API: a device fetches its map with its own token, and it verifies with the key the
 * service publishes; it lists the VPC's other devices, groups and relay metadata; nobody else gets it; both answers keep
 * to the OpenAPI document; on PostgreSQL every replica signs with the same key.
 */
class PeerMapIT {
    private record Member(Device device, NexodusClient asDevice, String token) {}

    private static Member device(TestServer ts, NexodusClient owner, UUID vpc, String host) throws Exception {
        Keys k = Keys.generate();
        Device d = owner.devices()
                .create(new AddDevice(vpc, k.publicKey(), null, null, false, false, host, null, "linux", null));
        String token = SealedToken.open(d.bearerToken(), k.privateKey());
        return new Member(d, ts.withToken(token), token);
    }

    private static void fetchAndVerify(TestServer issuer, TestServer keySource) throws Exception {
        NexodusClient alice = issuer.newUser("alice");
        UUID org = alice.organizations()
                .create(new AddOrganization("o-" + UUID.randomUUID(), ""))
                .id();
        UUID vpc = alice.vpcs().create(new AddVpc(org, "v", false, null, null)).id();
        Member a = device(issuer, alice, vpc, "alpha");
        Member b = device(issuer, alice, vpc, "bravo");
        b.asDevice().devices().putMetadata(b.device().id(), "relay", Map.of("type", "wireguard"));
        b.asDevice().devices().putMetadata(b.device().id(), "other", "x");

        PeerMapKey key = keySource.withToken(a.token()).devices().peerMapKey();
        assertThat(key.algorithm()).isEqualTo("Ed25519");
        Instant before = Instant.now().minusSeconds(5);
        SignedPeerMap signed = a.asDevice().devices().peerMap(a.device().id());
        PeerMap map = PeerMapSignature.verify(signed, key);
        assertThat(map.deviceId()).isEqualTo(a.device().id());
        assertThat(map.vpcId()).isEqualTo(vpc);
        assertThat(map.vpc().ipv4Cidr()).isNotBlank();
        assertThat(map.device().ipv4TunnelIps()).isEqualTo(a.device().ipv4TunnelIps());
        assertThat(map.device().bearerToken()).isNull();
        assertThat(map.issuedAt()).isBetween(before, Instant.now().plusSeconds(5));
        assertThat(map.peers()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(b.device().id());
            assertThat(p.publicKey()).isEqualTo(b.device().publicKey());
            assertThat(p.ipv4TunnelIps()).isEqualTo(b.device().ipv4TunnelIps());
            assertThat(p.bearerToken()).isNull();
        });
        assertThat(map.securityGroups()).extracting(g -> g.id()).contains(vpc);
        assertThat(map.relayMetadata()).singleElement().satisfies(m -> {
            assertThat(m.deviceId()).isEqualTo(b.device().id());
            assertThat(m.key()).isEqualTo("relay");
        });
    }

    @Test
    void aDeviceFetchesItsSignedMapOnH2AndOnlyIt() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            fetchAndVerify(ts, ts);

            NexodusClient alice = ts.newUser("carol");
            UUID org = alice.organizations()
                    .create(new AddOrganization("o-" + UUID.randomUUID(), ""))
                    .id();
            UUID vpc =
                    alice.vpcs().create(new AddVpc(org, "v", false, null, null)).id();
            Member a = device(ts, alice, vpc, "alpha");
            Member b = device(ts, alice, vpc, "bravo");
            assertThatThrownBy(() -> alice.devices().peerMap(a.device().id()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
            assertThatThrownBy(() -> b.asDevice().devices().peerMap(a.device().id()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));

            // the answers as they go over the wire keep to the published document
            OpenApiContract contract =
                    new OpenApiContract(ts.anonymous().service().openApi());
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (String[] call : new String[][] {
                {"/api/devices/{id}/peer-map", "/api/devices/" + a.device().id() + "/peer-map"},
                {"/api/peer-map/key", "/api/peer-map/key"}
            }) {
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(URI.create(ts.url() + call[1]))
                                .header("Authorization", "Bearer " + a.token())
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(contract.check(
                                "GET",
                                call[0],
                                r.statusCode(),
                                r.headers().firstValue("Content-Type").orElse(null),
                                r.body()))
                        .as(call[0])
                        .isEmpty();
            }
        }
    }

    @Test
    void replicasOnPostgresSignWithTheSameKey() throws Exception {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        try (TestServer a = TestServer.start(Db.POSTGRES);
                TestServer b = a.replica()) {
            fetchAndVerify(a, b);
            fetchAndVerify(b, a);
        }
    }
}
