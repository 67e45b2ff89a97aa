package io.nexodus.nexd.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.state.StoredPeerMap;
import io.nexodus.testkit.ManualClock;
import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When the agent fetches and stores its signed peer map, with a manual clock and a scripted service. */
class PeerMapKeeperTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    private KeyPair signing = PeerMapSignature.generate();
    private String keyId = "k1";
    private final Device self =
            OfflinePeerMapTest.device(NodePrivateKey.generate().publicKey().toBase64(), "100.64.0.1", List.of(), false);
    private final List<String> calls = new ArrayList<>();
    private final List<StoredPeerMap> stored = new ArrayList<>();
    private boolean down;
    private UUID mapOf;

    private final PeerMapKeeper.Service service = new PeerMapKeeper.Service() {
        @Override
        public PeerMapKey key(NexodusClient c) {
            calls.add("key");
            if (down) {
                throw new ApiTransportException("connection refused", null);
            }
            return new PeerMapKey(keyId, PeerMapKey.ED25519, PeerMapSignature.encodePublic(signing.getPublic()));
        }

        @Override
        public SignedPeerMap map(NexodusClient c, UUID id) {
            calls.add("map");
            if (down) {
                throw new ApiTransportException("connection refused", null);
            }
            Device d =
                    mapOf == null ? self : OfflinePeerMapTest.device(self.publicKey(), "100.64.0.7", List.of(), false);
            PeerMap m = new PeerMap(
                    PeerMap.FORMAT,
                    OfflinePeerMapTest.VPC.id(),
                    mapOf == null ? id : mapOf,
                    clock.instant(),
                    OfflinePeerMapTest.VPC,
                    mapOf == null
                            ? self
                            : new Device(
                                    mapOf,
                                    null,
                                    d.vpcId(),
                                    d.publicKey(),
                                    d.allowedIps(),
                                    d.ipv4TunnelIps(),
                                    d.ipv6TunnelIps(),
                                    d.advertiseCidrs(),
                                    false,
                                    false,
                                    d.hostname(),
                                    d.os(),
                                    d.endpoints(),
                                    1,
                                    null,
                                    true,
                                    null,
                                    null),
                    List.of(),
                    List.of(),
                    List.of());
            return PeerMapSignature.sign(m, keyId, signing.getPrivate());
        }
    };

    private final PeerMapKeeper keeper =
            new PeerMapKeeper(clock, service, stored::add, Runnable::run, Duration.ofHours(24));
    private final NexodusClient client =
            NexodusClient.builder(URI.create("http://127.0.0.1:9")).build();

    @Test
    void theFirstOfferFetchesTheKeyAndTheMapAndStoresBoth() {
        keeper.offer(client, self.id(), 1);
        assertEquals(List.of("key", "map"), calls);
        assertEquals(1, stored.size());
        assertEquals("k1", stored.getFirst().key().keyId());
        assertTrue(keeper.statusLine().orElseThrow().startsWith("signed peer map stored: 0 peers"));
    }

    @Test
    void changesAreFetchedAtMostEveryMinGapAndAQuietVpcIsRefreshed() {
        keeper.offer(client, self.id(), 1);
        keeper.offer(client, self.id(), 1);
        assertEquals(1, stored.size(), "nothing changed");
        keeper.offer(client, self.id(), 2);
        clock.advance(PeerMapKeeper.MIN_GAP.minusSeconds(1));
        keeper.offer(client, self.id(), 3);
        assertEquals(1, stored.size(), "a change within the gap waits");
        clock.advance(Duration.ofSeconds(1));
        keeper.offer(client, self.id(), 3);
        assertEquals(2, stored.size(), "then the newest state is fetched once");
        assertEquals(List.of("key", "map", "map"), calls, "the key is fetched once");
        clock.advance(PeerMapKeeper.REFRESH);
        keeper.offer(client, self.id(), 3);
        assertEquals(3, stored.size(), "refreshed although nothing changed, so it does not age out");
    }

    @Test
    void aShortMaxAgeRefreshesMoreOften() {
        PeerMapKeeper k = new PeerMapKeeper(clock, service, stored::add, Runnable::run, Duration.ofMinutes(10));
        k.offer(client, self.id(), 1);
        clock.advance(Duration.ofMinutes(5));
        k.offer(client, self.id(), 1);
        assertEquals(2, stored.size());
    }

    @Test
    void failuresBackOffAndTheNextOfferAfterThePauseSucceeds() {
        down = true;
        keeper.offer(client, self.id(), 1);
        keeper.offer(client, self.id(), 1);
        assertEquals(List.of("key"), calls, "no second try within the back-off");
        clock.advance(PeerMapKeeper.FIRST_BACKOFF);
        keeper.offer(client, self.id(), 1);
        assertEquals(2, calls.size());
        clock.advance(PeerMapKeeper.FIRST_BACKOFF);
        keeper.offer(client, self.id(), 1);
        assertEquals(2, calls.size(), "the pause doubled");
        down = false;
        clock.advance(PeerMapKeeper.FIRST_BACKOFF);
        keeper.offer(client, self.id(), 1);
        assertEquals(1, stored.size());
    }

    @Test
    void aNewServiceKeyIsLearnedAgainAndAMapThatDoesNotVerifyIsNotStored() {
        keeper.offer(client, self.id(), 1);
        signing = PeerMapSignature.generate(); // the service's database was replaced
        keyId = "k2";
        clock.advance(PeerMapKeeper.MIN_GAP);
        keeper.offer(client, self.id(), 2);
        assertEquals(2, stored.size());
        assertEquals("k2", stored.getLast().key().keyId());

        // a map of another device (never from a correct service) is not kept
        mapOf = UUID.randomUUID();
        clock.advance(PeerMapKeeper.MIN_GAP);
        keeper.offer(client, self.id(), 3);
        assertEquals(2, stored.size());
    }
}
