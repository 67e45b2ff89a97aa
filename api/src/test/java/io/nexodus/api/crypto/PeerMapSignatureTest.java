package io.nexodus.api.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.api.model.Vpc;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PeerMapSignatureTest {
    private static final UUID VPC = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final UUID SELF = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
    private static final UUID PEER = UUID.fromString("00000000-0000-0000-0000-0000000000d2");

    private final KeyPair pair = PeerMapSignature.generate();
    private final PeerMapKey key =
            new PeerMapKey("k1", PeerMapKey.ED25519, PeerMapSignature.encodePublic(pair.getPublic()));

    static Device device(UUID id, String hostname) {
        return new Device(
                id,
                null,
                VPC,
                "pk-" + hostname,
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                false,
                false,
                hostname,
                "linux",
                List.of(),
                1,
                null,
                true,
                null,
                null);
    }

    static PeerMap map() {
        Vpc vpc = new Vpc(VPC, null, "v", false, "100.64.0.0/10", "fd6e:6578:6f64::/64", 1);
        return new PeerMap(
                PeerMap.FORMAT,
                VPC,
                SELF,
                Instant.parse("2026-12-07T10:00:00Z"),
                vpc,
                device(SELF, "a"),
                List.of(device(PEER, "b")),
                List.of(),
                List.of());
    }

    @Test
    void signedMapVerifies() throws Exception {
        SignedPeerMap signed = PeerMapSignature.sign(map(), "k1", pair.getPrivate());
        PeerMap back = PeerMapSignature.verify(signed, key);
        assertEquals(map(), back);
    }

    @Test
    void keysRoundTripThroughTheirEncodings() throws Exception {
        SignedPeerMap signed = PeerMapSignature.sign(
                map(), "k1", PeerMapSignature.decodePrivate(PeerMapSignature.encodePrivate(pair.getPrivate())));
        assertEquals(SELF, PeerMapSignature.verify(signed, key).deviceId());
    }

    @Test
    void alteredPayloadIsRefused() {
        SignedPeerMap signed = PeerMapSignature.sign(map(), "k1", pair.getPrivate());
        String json = new String(Base64.getDecoder().decode(signed.payload()), StandardCharsets.UTF_8);
        String tampered = json.replace("pk-b", "pk-x");
        SignedPeerMap bad = new SignedPeerMap(
                "k1",
                Base64.getEncoder().encodeToString(tampered.getBytes(StandardCharsets.UTF_8)),
                signed.signature());
        PeerMapException e = assertThrows(PeerMapException.class, () -> PeerMapSignature.verify(bad, key));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void anotherServicesKeyIsRefused() {
        KeyPair other = PeerMapSignature.generate();
        SignedPeerMap signed = PeerMapSignature.sign(map(), "k1", other.getPrivate());
        assertThrows(PeerMapException.class, () -> PeerMapSignature.verify(signed, key));
        SignedPeerMap otherId = PeerMapSignature.sign(map(), "k2", pair.getPrivate());
        PeerMapException e = assertThrows(PeerMapException.class, () -> PeerMapSignature.verify(otherId, key));
        assertTrue(e.getMessage().contains("k2"), e.getMessage());
    }

    @Test
    void garbageIsRefusedNotThrown() {
        assertThrows(PeerMapException.class, () -> PeerMapSignature.verify(new SignedPeerMap("k1", "%%", "%%"), key));
        assertThrows(PeerMapException.class, () -> PeerMapSignature.verify(new SignedPeerMap("k1", null, null), key));
        assertThrows(
                PeerMapException.class,
                () -> PeerMapSignature.verify(
                        PeerMapSignature.sign(map(), "k1", pair.getPrivate()),
                        new PeerMapKey("k1", PeerMapKey.ED25519, "bm90IGEga2V5")));
        // a correctly signed payload that is not a map of a known format
        PeerMap future = new PeerMap(2, VPC, SELF, Instant.now(), map().vpc(), map().device(), null, null, null);
        assertThrows(
                PeerMapException.class,
                () -> PeerMapSignature.verify(PeerMapSignature.sign(future, "k1", pair.getPrivate()), key));
    }
}
