package io.nexodus.server.connectivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.api.model.ValidationError;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.server.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectivityViewTest {
    private static final Instant NOW = Instant.parse("2026-12-07T05:00:00Z");
    private static final Duration STALE = Duration.ofSeconds(90);
    private final UUID vpc = UUID.randomUUID();
    private final UUID a = UUID.randomUUID(), b = UUID.randomUUID(), c = UUID.randomUUID(), gone = UUID.randomUUID();

    private static Device device(UUID id, String host, boolean online) {
        return new Device(
                id, null, null, "k", List.of(), List.of(), List.of(), List.of(), false, false, host, "linux", List.of(),
                1, null, online, null, null);
    }

    private static PeerConnectivity peer(UUID id, String method, String relay, Long age) {
        return new PeerConnectivity(id, method, relay, true, age, 10, 20);
    }

    @Test
    void pairsCarryTheirPathAgeAndStalenessAndTheCensusCountsEachPairOnce() {
        List<Device> devices = List.of(device(c, "c", true), device(a, "a", true), device(b, "b", false));
        List<ConnectivityStore.Stored> reports = List.of(
                new ConnectivityStore.Stored(
                        a,
                        "cone",
                        List.of(
                                peer(b, "reflexive", null, 5L),
                                peer(c, "via-derp-relay", "public-derp", null),
                                peer(gone, "reflexive", null, 1L)),
                        NOW.minusSeconds(10)),
                new ConnectivityStore.Stored(c, "symmetric", List.of(peer(a, "direct-local", null, 3L)), NOW),
                // b is offline: its report is stale whatever its age
                new ConnectivityStore.Stored(b, "cone", List.of(peer(a, "reflexive", null, 1L)), NOW),
                // a device that left the VPC
                new ConnectivityStore.Stored(gone, "cone", List.of(peer(a, "reflexive", null, 1L)), NOW));

        VpcConnectivity v = ConnectivityView.build(vpc, devices, reports, NOW, STALE);

        assertThat(v.devices())
                .extracting(VpcConnectivity.ConnectivityDevice::hostname)
                .containsExactly("a", "b", "c");
        assertThat(v.devices())
                .extracting(VpcConnectivity.ConnectivityDevice::stale)
                .containsExactly(false, true, false);
        assertThat(v.pairs()).hasSize(4); // the departed peer and reporter are left out
        VpcConnectivity.ConnectivityPair ab = v.pairs().stream()
                .filter(p -> p.fromDeviceId().equals(a) && p.toDeviceId().equals(b))
                .findFirst()
                .orElseThrow();
        assertThat(ab.path()).isEqualTo(VpcConnectivity.PATH_DIRECT);
        assertThat(ab.handshakeAgeSeconds())
                .as("age as reported plus the report's own age")
                .isEqualTo(15L);
        assertThat(ab.stale()).isFalse();
        VpcConnectivity.ConnectivityPair ac = v.pairs().stream()
                .filter(p -> p.fromDeviceId().equals(a) && p.toDeviceId().equals(c))
                .findFirst()
                .orElseThrow();
        assertThat(ac.path()).isEqualTo(VpcConnectivity.PATH_DERP);
        assertThat(ac.handshakeAgeSeconds()).isNull();
        assertThat(v.pairs().stream().filter(p -> p.fromDeviceId().equals(b)))
                .allMatch(VpcConnectivity.ConnectivityPair::stale);

        // a-b: a's fresh report says direct (b's is stale) ; a-c: DERP one way, direct the other -> DERP;
        // b-c: nobody reported
        assertThat(v.census())
                .isEqualTo(new VpcConnectivity.ConnectivityCensus(
                        3, 1, 0, 1, 0, 0, 1, Map.of("cone", 1L, "symmetric", 1L)));
    }

    @Test
    void aPairWithOnlyOldReportsIsStale() {
        List<Device> devices = List.of(device(a, "a", true), device(b, "b", true));
        List<ConnectivityStore.Stored> reports = List.of(new ConnectivityStore.Stored(
                a, "cone", List.of(peer(b, "via-relay", "wireguard-relay", 1L)), NOW.minusSeconds(91)));
        VpcConnectivity v = ConnectivityView.build(vpc, devices, reports, NOW, STALE);
        assertThat(v.pairs()).singleElement().satisfies(p -> {
            assertThat(p.stale()).isTrue();
            assertThat(p.path()).isEqualTo(VpcConnectivity.PATH_RELAYED);
        });
        assertThat(v.census().stale()).isEqualTo(1);
        assertThat(v.census().natTypes()).isEmpty();
    }

    @Test
    void pathsByMethod() {
        assertThat(ConnectivityView.path(null, null)).isEqualTo(VpcConnectivity.PATH_NONE);
        assertThat(ConnectivityView.path("via-relay", "wireguard-relay")).isEqualTo(VpcConnectivity.PATH_RELAYED);
        assertThat(ConnectivityView.path("via-derp-relay", "onboarded-derp")).isEqualTo(VpcConnectivity.PATH_DERP);
        assertThat(ConnectivityView.path("relay-node-peer", null)).isEqualTo(VpcConnectivity.PATH_DIRECT);
        assertThat(ConnectivityView.path("some-future-method", null)).isEqualTo(VpcConnectivity.PATH_DIRECT);
    }

    private static void field(Throwable e, String name) {
        ApiError err = (ApiError) e;
        assertThat(err.status()).isEqualTo(400);
        assertThat(((ValidationError) err.body()).field()).isEqualTo(name);
    }

    @Test
    void badReportsAreRefusedNamingTheField() {
        UUID self = UUID.randomUUID();
        assertThatThrownBy(() -> Connectivity.validate(self, new ConnectivityReport(null, List.of())))
                .isInstanceOf(ApiError.class)
                .satisfies(e -> field(e, "nat_type"));
        assertThatThrownBy(() -> Connectivity.validate(self, new ConnectivityReport("Cone!", List.of())))
                .satisfies(e -> field(e, "nat_type"));
        assertThatThrownBy(() -> Connectivity.validate(
                        self, new ConnectivityReport("cone", List.of(peer(a, "x", null, 1L), peer(a, "x", null, 1L)))))
                .satisfies(e -> field(e, "peers[1].device_id"));
        assertThatThrownBy(() ->
                        Connectivity.validate(self, new ConnectivityReport("cone", List.of(peer(self, "x", null, 1L)))))
                .satisfies(e -> field(e, "peers[0].device_id"));
        assertThatThrownBy(() ->
                        Connectivity.validate(self, new ConnectivityReport("cone", List.of(peer(null, "x", null, 1L)))))
                .satisfies(e -> field(e, "peers[0].device_id"));
        assertThatThrownBy(() -> Connectivity.validate(
                        self, new ConnectivityReport("cone", List.of(peer(a, "DROP TABLE", null, 1L)))))
                .satisfies(e -> field(e, "peers[0].method"));
        Connectivity.validate(self, new ConnectivityReport("cone", List.of(peer(a, null, null, null))));
    }
}
