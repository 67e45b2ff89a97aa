package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Test fixtures: peers and selves. */
final class Peers {
    private Peers() {}

    static InetSocketAddress ep(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static PeerInfo peer(String key, String local, String reflexive, boolean symmetric) {
        return new PeerInfo(
                key,
                UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)),
                "host-" + key,
                false,
                Optional.empty(),
                symmetric,
                Optional.ofNullable(local).map(Peers::parse),
                Optional.ofNullable(reflexive).map(Peers::parse),
                List.of("100.64.0.9"),
                List.of("100.64.0.9/32"),
                List.of());
    }

    static PeerInfo relay(String key, String local, String reflexive) {
        return new PeerInfo(
                key,
                UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)),
                "relay",
                true,
                Optional.of("wireguard"),
                false,
                Optional.ofNullable(local).map(Peers::parse),
                Optional.ofNullable(reflexive).map(Peers::parse),
                List.of("100.64.0.1"),
                List.of("100.64.0.1/32"),
                List.of());
    }

    static PeerInfo derpRelay(String key, String reflexive, String hostname, boolean manual) {
        return new PeerInfo(
                key,
                UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)),
                "derp-" + key,
                true,
                Optional.of("derp"),
                false,
                Optional.empty(),
                Optional.ofNullable(reflexive).map(Peers::parse),
                List.of("100.64.0.2"),
                List.of("100.64.0.2/32"),
                List.of(),
                Optional.of(hostname),
                manual,
                Optional.empty());
    }

    static SelfInfo self(String reflexiveIp, boolean symmetric, boolean relayOnly, boolean relay) {
        try {
            return new SelfInfo(
                    "me",
                    relay,
                    symmetric || relayOnly,
                    relayOnly,
                    Optional.ofNullable(reflexiveIp == null ? null : InetAddress.getByName(reflexiveIp)),
                    List.of("100.64.0.0/10", "200::/64"),
                    false);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetSocketAddress parse(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        return ep(hostPort.substring(0, c), Integer.parseInt(hostPort.substring(c + 1)));
    }
}
