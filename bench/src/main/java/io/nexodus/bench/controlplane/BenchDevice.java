package io.nexodus.bench.controlplane;

import io.nexodus.api.model.Endpoint;
import io.nexodus.core.key.NodePrivateKey;
import java.util.List;
import java.util.UUID;

/**
 * One simulated agent: its WireGuard key pair, the endpoints it reports (its LAN address and the reflexive address a
 * STUN server saw, as nexd reports them), and after registration its device id and its {@code DT:} token (opened from
 * the sealed token in the registration response with the private key, as nexd does).
 */
final class BenchDevice {
    final int index;
    final NodePrivateKey privateKey;
    final String publicKey;
    volatile UUID id;
    volatile String sealedToken;
    volatile String token;

    BenchDevice(int index, NodePrivateKey privateKey, String publicKey) {
        this.index = index;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    String hostname() {
        return String.format("bench-%05d", index);
    }

    Endpoint localEndpoint() {
        return new Endpoint(
                Endpoint.SOURCE_LOCAL, "192.168." + (index / 250 % 256) + "." + (index % 250 + 2) + ":51820");
    }

    /** The reflexive endpoint at registration: 203.0.113.0/24 (documentation space), a NAT-like port. */
    List<Endpoint> endpoints() {
        return List.of(
                localEndpoint(),
                new Endpoint("stun:127.0.0.1:3478", "203.0.113." + (index % 250 + 1) + ":" + (20000 + index % 40000)));
    }

    /** The endpoints after the benchmark's change number {@code change}: a new reflexive address (a NAT rebinding). */
    List<Endpoint> endpointsAfterChange(int change) {
        return List.of(
                localEndpoint(),
                new Endpoint(
                        "stun:127.0.0.1:3478",
                        WatchStreamClient.MARKER_HOST + ":" + (WatchStreamClient.MARKER_PORT_BASE + change)));
    }
}
