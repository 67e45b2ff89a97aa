package io.nexodus.nexd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.wg.JavaBackend;
import io.nexodus.stun.StunClientConfig;
import io.nexodus.stun.StunServer;
import io.nexodus.stun.StunServerConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** STUN sent from the WireGuard socket itself: the server sees the WireGuard port (the tunnel's own mapping). */
class StunOverWireGuardSocketTest {
    @Test
    void theReflexiveAddressIsTheWireGuardPort() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (StunServer server = StunServer.start(
                        List.of(new InetSocketAddress(lo, 0), new InetSocketAddress(lo, 0)),
                        StunServerConfig.defaults());
                JavaBackend wg =
                        JavaBackend.inMemory("stun0", NodePrivateKey.generate().toBase64(), lo)) {
            ReflexiveProbe probe = new StunClientProbe(
                    wg.sharedSocket().orElseThrow(), StunClientConfig.defaults().withTimeout(Duration.ofSeconds(2)));
            long t0 = System.nanoTime();
            NatObservation o = new NatDiscovery(probe, server.localAddresses()).observe();
            System.out.println("STUN over the WireGuard socket took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(o.reflexive()).contains(new InetSocketAddress(lo, wg.listenPort()));
            assertThat(o.symmetricNat()).isFalse();
            assertThat(wg.sharedSocket().orElseThrow().isWireGuardSocket()).isTrue();
        }
    }

    @Test
    void aServerThatDoesNotAnswerIsATimeoutNotAnException() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (JavaBackend wg =
                        JavaBackend.inMemory("stun1", NodePrivateKey.generate().toBase64(), lo);
                DatagramSocket silent = new DatagramSocket(0, lo)) {
            ReflexiveProbe probe = new StunClientProbe(
                    wg.sharedSocket().orElseThrow(), StunClientConfig.defaults().withTimeout(Duration.ofMillis(600)));
            StunAnswer a = probe.query(new InetSocketAddress(lo, silent.getLocalPort()));
            assertThat(a.answered()).isFalse();
            assertThat(a.problem()).hasValueSatisfying(p -> assertThat(p).contains("no answer"));
        }
    }
}
