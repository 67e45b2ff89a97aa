package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.api.model.ValidationError;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Connectivity reports through the API: a device reports with its own token, the VPC's readers see the pair with its
 * path and the census; bad reports are 400s naming the field; on PostgreSQL a report filed through one replica is seen
 * through the other.
 */
class ConnectivityIT {
    private record Member(Device device, NexodusClient asDevice, String token) {}

    private static Member device(TestServer ts, NexodusClient owner, UUID vpc, String host) throws Exception {
        Keys k = Keys.generate();
        Device d = owner.devices()
                .create(new AddDevice(vpc, k.publicKey(), null, null, false, false, host, null, "linux", null));
        String token = SealedToken.open(d.bearerToken(), k.privateKey());
        return new Member(d, ts.withToken(token), token);
    }

    /** A watch stream as the device: the service counts it online while one is open. */
    private static WatchConnection online(NexodusClient asDevice, UUID vpc) throws Exception {
        WatchConnection w = asDevice.events().open(vpc, null, List.of(new Watch("device", 0, false, Map.of())));
        for (WatchEvent e = w.next(); e != null && !e.type().equals("tail"); e = w.next()) {
            // the initial list
        }
        return w;
    }

    private static void reportAndRead(TestServer reportTo, TestServer readFrom) throws Exception {
        NexodusClient alice = reportTo.newUser("alice");
        UUID org = alice.organizations()
                .create(new AddOrganization("o-" + UUID.randomUUID(), ""))
                .id();
        UUID vpc = alice.vpcs().create(new AddVpc(org, "v", false, null, null)).id();
        Member a = device(reportTo, alice, vpc, "alpha");
        Member b = device(reportTo, alice, vpc, "bravo");
        WatchConnection w = online(a.asDevice(), vpc);
        try {
            a.asDevice()
                    .devices()
                    .reportConnectivity(
                            a.device().id(),
                            new ConnectivityReport(
                                    ConnectivityReport.NAT_CONE,
                                    List.of(new PeerConnectivity(
                                            b.device().id(), "via-derp-relay", "public-derp", true, 4L, 100, 200))));

            // the other device of the VPC reads it, through the other replica when there is one
            VpcConnectivity v = readFrom.withToken(b.token()).vpcs().connectivity(vpc);
            assertThat(v.devices())
                    .extracting(VpcConnectivity.ConnectivityDevice::hostname)
                    .containsExactly("alpha", "bravo");
            assertThat(v.devices().get(0).natType()).isEqualTo("cone");
            assertThat(v.devices().get(0).stale()).isFalse();
            assertThat(v.devices().get(1).stale()).as("bravo never reported").isTrue();
            assertThat(v.pairs()).singleElement().satisfies(p -> {
                assertThat(p.fromDeviceId()).isEqualTo(a.device().id());
                assertThat(p.toDeviceId()).isEqualTo(b.device().id());
                assertThat(p.method()).isEqualTo("via-derp-relay");
                assertThat(p.path()).isEqualTo(VpcConnectivity.PATH_DERP);
                assertThat(p.handshakeAgeSeconds()).isBetween(4L, 30L);
                assertThat(p.rxBytes()).isEqualTo(100);
                assertThat(p.stale()).isFalse();
            });
            assertThat(v.census().pairs()).isEqualTo(1);
            assertThat(v.census().derp()).isEqualTo(1);
            assertThat(v.census().natTypes()).containsEntry("cone", 1L);
            // and the VPC's owner
            assertThat(alice.vpcs().connectivity(vpc).pairs()).hasSize(1);
        } finally {
            w.close();
        }
    }

    @Test
    void aDeviceReportsAndTheVpcSeesThePairOnH2() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            reportAndRead(ts, ts);
        }
    }

    @Test
    void aReportThroughOneReplicaIsSeenThroughTheOtherOnPostgres() throws Exception {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        try (TestServer a = TestServer.start(Db.POSTGRES);
                TestServer b = a.replica()) {
            reportAndRead(a, b);
        }
    }

    @Test
    void onlyTheDeviceItselfReportsAndBadReportsAreFieldErrors() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            NexodusClient alice = ts.newUser("alice");
            UUID org = alice.organizations()
                    .create(new AddOrganization("o-" + UUID.randomUUID(), ""))
                    .id();
            UUID vpc =
                    alice.vpcs().create(new AddVpc(org, "v", false, null, null)).id();
            Member a = device(ts, alice, vpc, "alpha");
            Member b = device(ts, alice, vpc, "bravo");
            ConnectivityReport good = new ConnectivityReport("cone", List.of());
            assertThatThrownBy(
                            () -> alice.devices().reportConnectivity(a.device().id(), good))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
            assertThatThrownBy(() ->
                            b.asDevice().devices().reportConnectivity(a.device().id(), good))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));

            List<PeerConnectivity> tooMany = new ArrayList<>();
            for (int i = 0; i <= ConnectivityReport.MAX_PEERS; i++) {
                tooMany.add(new PeerConnectivity(UUID.randomUUID(), "reflexive", null, true, 1L, 0, 0));
            }
            assertField(a, new ConnectivityReport("cone", tooMany), "peers");
            assertField(
                    a,
                    new ConnectivityReport(
                            "cone",
                            List.of(new PeerConnectivity(b.device().id(), "x".repeat(33), null, true, 1L, 0, 0))),
                    "peers[0].method");
            assertField(
                    a,
                    new ConnectivityReport(
                            "cone", List.of(new PeerConnectivity(b.device().id(), "reflexive", null, true, -1L, 0, 0))),
                    "peers[0].handshake_age_seconds");
            assertField(a, new ConnectivityReport(null, List.of()), "nat_type");
            a.asDevice().devices().reportConnectivity(a.device().id(), good);
        }
    }

    private static void assertField(Member m, ConnectivityReport r, String field) {
        assertThatThrownBy(() ->
                        m.asDevice().devices().reportConnectivity(m.device().id(), r))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(((ValidationError) e.body()).field()).isEqualTo(field);
                });
    }
}
