package io.nexodus.nexd.peering;

import static io.nexodus.nexd.peering.Peers.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.nexd.endpoint.PortPrediction;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The peer side of port prediction: a symmetric device's two published STUN answers. */
class PeerInfoPredictionTest {
    private static final Endpoint LOCAL = new Endpoint("local", "192.168.22.10:51820");
    private static final Endpoint FIRST = new Endpoint("stun:203.0.113.10:3478", "198.51.100.22:40007");
    private static final Endpoint SECOND = new Endpoint("stun:203.0.113.10:3479", "198.51.100.22:40008");

    private static Device device(List<Endpoint> endpoints, boolean symmetric) {
        return new Device(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                "key",
                List.of("100.64.0.9/32"),
                List.of(),
                List.of(),
                List.of(),
                false,
                symmetric,
                "sym-b",
                "linux",
                endpoints,
                1,
                null,
                true,
                null,
                null);
    }

    @Test
    void twoCloseStunAnswersOfASymmetricDeviceArePredicted() {
        PeerInfo p = PeerInfo.from(device(List.of(LOCAL, FIRST, SECOND), true), Optional.empty());
        assertThat(p.reflexiveEndpoint())
                .as("the first stun endpoint, as before")
                .contains(ep("198.51.100.22", 40007));
        assertThat(p.portPrediction().map(PortPrediction::lastPort)).contains(40008);
    }

    @Test
    void nothingIsPredictedWithoutTwoCloseAnswersOfASymmetricDevice() {
        assertThat(PeerInfo.from(device(List.of(LOCAL, FIRST, SECOND), false), Optional.empty())
                        .portPrediction())
                .as("not symmetric")
                .isEmpty();
        assertThat(PeerInfo.from(device(List.of(LOCAL, FIRST), true), Optional.empty())
                        .portPrediction())
                .as("one answer (as upstream nexd publishes)")
                .isEmpty();
        Endpoint far = new Endpoint("stun:203.0.113.10:3479", "198.51.100.22:51234");
        assertThat(PeerInfo.from(device(List.of(LOCAL, FIRST, far), true), Optional.empty())
                        .portPrediction())
                .as("random ports")
                .isEmpty();
    }
}
