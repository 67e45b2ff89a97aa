package io.nexodus.nexd.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.Vpc;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.nexd.state.StoredPeerMap;
import io.nexodus.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up decision: which failures mean "unreachable", and which stored maps may be used, with a manual clock. */
class OfflinePeerMapTest {
    static final Vpc VPC = new Vpc(
            UUID.fromString("00000000-0000-0000-0000-0000000000a1"),
            null,
            "v",
            false,
            "100.64.0.0/10",
            "fd6e:6578:6f64::/64",
            1);
    static final Instant ISSUED = Instant.parse("2026-12-07T10:00:00Z");

    private final KeyPair service = PeerMapSignature.generate();
    private final PeerMapKey key =
            new PeerMapKey("k1", PeerMapKey.ED25519, PeerMapSignature.encodePublic(service.getPublic()));
    private final String ours = NodePrivateKey.generate().publicKey().toBase64();
    private final ManualClock clock = new ManualClock(ISSUED.plusSeconds(60));

    static Device device(String publicKey, String tunnelIp, List<Endpoint> endpoints, boolean symmetric) {
        return new Device(
                UUID.randomUUID(),
                null,
                VPC.id(),
                publicKey,
                List.of(tunnelIp + "/32"),
                List.of(new TunnelIp(tunnelIp, null)),
                List.of(),
                List.of(),
                false,
                symmetric,
                "h-" + tunnelIp,
                "linux",
                endpoints,
                1,
                null,
                true,
                null,
                null);
    }

    static PeerMap map(Device self, Instant issued, Device... peers) {
        return new PeerMap(
                PeerMap.FORMAT, VPC.id(), self.id(), issued, VPC, self, List.of(peers), List.of(), List.of());
    }

    private Optional<StoredPeerMap> stored(PeerMap m) {
        return Optional.of(new StoredPeerMap(key, PeerMapSignature.sign(m, "k1", service.getPrivate()), ISSUED));
    }

    private Device self() {
        return device(ours, "100.64.0.1", List.of(new Endpoint("stun:stun1:3478", "198.51.100.1:51820")), false);
    }

    private Device peer() {
        return device(NodePrivateKey.generate().publicKey().toBase64(), "100.64.0.2", List.of(), false);
    }

    @Test
    void onlyTransportFailuresAndServerErrorsMeanUnreachable() {
        assertTrue(OfflinePeerMap.unreachable(new ApiTransportException("connection refused", null)));
        assertTrue(OfflinePeerMap.unreachable(api(503)));
        assertTrue(OfflinePeerMap.unreachable(api(500)));
        assertFalse(OfflinePeerMap.unreachable(api(401)), "a refused key is the service's decision");
        assertFalse(OfflinePeerMap.unreachable(api(403)));
        assertFalse(OfflinePeerMap.unreachable(api(404)));
        assertFalse(OfflinePeerMap.unreachable(api(410)), "a deleted device stays deleted");
        assertFalse(OfflinePeerMap.unreachable(api(429)));
        assertFalse(OfflinePeerMap.unreachable(new IllegalStateException("x")));
    }

    private static ApiException api(int status) {
        return new ApiException(status, new BaseError("e"), "GET", "/api/reg-keys/me");
    }

    @Test
    void aFreshMapSignedByTheServiceIsUsed() {
        Device b = peer();
        OfflinePeerMap.Decision d =
                OfflinePeerMap.decide(stored(map(self(), ISSUED, b)), ours, Duration.ofHours(24), clock.instant());
        PeerMap m = assertInstanceOf(OfflinePeerMap.Use.class, d).map();
        assertEquals(List.of(b), m.peers());
    }

    @Test
    void theAgeLimitIsInclusiveAndZeroTurnsItOff() {
        Optional<StoredPeerMap> s = stored(map(self(), ISSUED, peer()));
        clock.set(ISSUED.plus(Duration.ofHours(24)));
        assertInstanceOf(
                OfflinePeerMap.Use.class, OfflinePeerMap.decide(s, ours, Duration.ofHours(24), clock.instant()));
        clock.advance(Duration.ofSeconds(1));
        OfflinePeerMap.Refuse r = assertInstanceOf(
                OfflinePeerMap.Refuse.class, OfflinePeerMap.decide(s, ours, Duration.ofHours(24), clock.instant()));
        assertTrue(r.reason().contains("longer than --peer-map-max-age 24 h"), r.reason());
        assertInstanceOf(OfflinePeerMap.Absent.class, OfflinePeerMap.decide(s, ours, Duration.ZERO, clock.instant()));
        assertInstanceOf(
                OfflinePeerMap.Absent.class,
                OfflinePeerMap.decide(Optional.empty(), ours, Duration.ofHours(24), clock.instant()));
    }

    @Test
    void aTamperedMapIsRefused() {
        StoredPeerMap s = stored(map(self(), ISSUED, peer())).orElseThrow();
        String json = new String(Base64.getDecoder().decode(s.map().payload()), StandardCharsets.UTF_8);
        String payload = Base64.getEncoder()
                .encodeToString(json.replace("100.64.0.2", "100.64.0.9").getBytes(StandardCharsets.UTF_8));
        StoredPeerMap tampered = new StoredPeerMap(
                s.key(), new SignedPeerMap("k1", payload, s.map().signature()), s.storedAt());
        OfflinePeerMap.Refuse r = assertInstanceOf(
                OfflinePeerMap.Refuse.class,
                OfflinePeerMap.decide(Optional.of(tampered), ours, Duration.ofHours(24), clock.instant()));
        assertTrue(r.reason().contains("does not verify"), r.reason());
    }

    @Test
    void aMapCheckedWithAnotherKeyOrIssuedToAnotherDeviceKeyIsRefused() {
        KeyPair other = PeerMapSignature.generate();
        StoredPeerMap s = stored(map(self(), ISSUED, peer())).orElseThrow();
        StoredPeerMap wrongKey = new StoredPeerMap(
                new PeerMapKey("k1", PeerMapKey.ED25519, PeerMapSignature.encodePublic(other.getPublic())),
                s.map(),
                s.storedAt());
        assertInstanceOf(
                OfflinePeerMap.Refuse.class,
                OfflinePeerMap.decide(Optional.of(wrongKey), ours, Duration.ofHours(24), clock.instant()));
        // after --rejoin the device has a new WireGuard key: the old map is not its map
        String newKey = NodePrivateKey.generate().publicKey().toBase64();
        OfflinePeerMap.Refuse r = assertInstanceOf(
                OfflinePeerMap.Refuse.class,
                OfflinePeerMap.decide(Optional.of(s), newKey, Duration.ofHours(24), clock.instant()));
        assertTrue(r.reason().contains("another WireGuard key"), r.reason());
    }

    @Test
    void theStoredNatViewComesFromOurOwnRecord() {
        NatObservation n = OfflinePeerMap.natOf(self());
        assertEquals(Optional.of(new InetSocketAddress("198.51.100.1", 51820)), n.reflexive());
        assertEquals("stun1:3478", n.stunServer());
        assertFalse(n.symmetricNat());
        NatObservation none = OfflinePeerMap.natOf(device(ours, "100.64.0.1", List.of(), true));
        assertTrue(none.reflexive().isEmpty());
        assertTrue(none.symmetricNat());
    }

    @Test
    void theMapIsStoredAtomicallyWithMode0600AndReadBack(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir.resolve("state"));
        StoredPeerMap s = stored(map(self(), ISSUED, peer())).orElseThrow();
        store.savePeerMap(s);
        assertEquals(Optional.of(s), store.loadPeerMap());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.peerMapFile())));
        assertEquals(
                "rwx------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(store.peerMapFile().getParent())));
        try (var files = Files.list(store.directory())) {
            assertEquals(
                    List.of(StateStore.PEER_MAP_FILE),
                    files.map(f -> f.getFileName().toString()).toList());
        }
        store.deletePeerMap();
        assertEquals(Optional.empty(), store.loadPeerMap());
        store.deletePeerMap(); // nothing to delete is fine
        store.savePeerMap(s);
        Files.writeString(store.peerMapFile(), "{not json");
        Assertions.assertThrows(StateException.class, store::loadPeerMap);
    }
}
