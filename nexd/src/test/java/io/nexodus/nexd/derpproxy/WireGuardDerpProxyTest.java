package io.nexodus.nexd.derpproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.nexd.peering.DerpRelay;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two agents' proxies on one in-process DERP relay (plain HTTP on loopback); UDP sockets on 127.0.0.1 stand in for the
 * two WireGuard devices. What "WireGuard A" sends to B's loopback endpoint arrives at "WireGuard B" from A's loopback
 * endpoint, and back.
 */
class WireGuardDerpProxyTest {

    @Test
    void packetsCrossTheRelayAndArriveFromThePeersLoopbackAddress() throws Exception {
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        String a = ka.publicKey().toBase64();
        String b = kb.publicKey().toBase64();
        try (DerpRelayServer server = DerpRelayServer.start(DerpRelayConfig.builder()
                        .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                        .build());
                DatagramSocket wgA = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket wgB = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                WireGuardDerpProxy pa = new WireGuardDerpProxy(wgA.getLocalPort(), connector(ka), k -> k.equals(b));
                WireGuardDerpProxy pb = new WireGuardDerpProxy(wgB.getLocalPort(), connector(kb), k -> k.equals(a))) {
            DerpRelay relay = new DerpRelay(
                    DerpRelay.Kind.PUBLIC,
                    "public:900",
                    URI.create("http://127.0.0.1:" + server.port() + "/derp"),
                    Optional.empty(),
                    Optional.empty(),
                    false,
                    Optional.empty());
            pa.use(Optional.of(relay), Set.of(relay));
            pb.use(Optional.of(relay), Set.of(relay));
            InetSocketAddress bAtA = pa.endpointFor(b).orElseThrow();
            InetSocketAddress aAtB = pb.endpointFor(a).orElseThrow();
            assertThat(bAtA.getAddress().getHostAddress()).startsWith("127.").isNotEqualTo("127.0.0.1");
            assertThat(pa.endpointFor(b)).contains(bAtA);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(pa.connected("public:900") && pb.connected("public:900")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pa.connected("public:900")).isTrue();

            DatagramPacket got = roundTrip(wgA, bAtA, wgB, "hello from A");
            assertThat(got.getSocketAddress()).isEqualTo(aAtB);
            DatagramPacket back = roundTrip(wgB, aAtB, wgA, "hello from B");
            assertThat(back.getSocketAddress()).isEqualTo(bAtA);
            // the counters move right after the hand-over, which may be a moment after the datagram arrived
            long countersBy = System.nanoTime() + 2_000_000_000L;
            while ((pa.counters().toRelay() < 1 || pa.counters().fromRelay() < 1) && System.nanoTime() < countersBy) {
                Thread.sleep(10);
            }
            assertThat(pa.counters().toRelay()).isGreaterThanOrEqualTo(1);
            assertThat(pa.counters().fromRelay()).isGreaterThanOrEqualTo(1);
            assertThat(pa.packetsFrom(b))
                    .as("per peer: what lets the agent follow a peer that can only use DERP")
                    .isGreaterThanOrEqualTo(1);
            assertThat(pa.packetsFrom(a)).isZero();

            // probes ping the relay: pongs count up with their round trip (what health and latency are judged by)
            WireGuardDerpProxy.Probe first = pa.probe("public:900");
            assertThat(first.connected()).isTrue();
            long pongsBy = System.nanoTime() + 5_000_000_000L;
            WireGuardDerpProxy.Probe later = first;
            while (later.pongs() <= first.pongs() && System.nanoTime() < pongsBy) {
                Thread.sleep(20);
                later = pa.probe("public:900");
            }
            assertThat(later.pongs()).isGreaterThan(first.pongs());
            assertThat(later.lastRtt()).isPresent();
            assertThat(pa.probe("onboarded:unknown").connected()).isFalse();

            // no relay: dropped and counted, nothing thrown
            pa.use(Optional.empty(), Set.of());
            wgA.send(new DatagramPacket(new byte[] {1}, 1, bAtA));
            deadline = System.nanoTime() + 5_000_000_000L;
            while (pa.counters().droppedNoRelay() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(pa.counters().droppedNoRelay()).isEqualTo(1);
            assertThat(pa.connected("public:900")).isFalse();

            pa.retainPeers(Set.of());
            assertThat(pa.packetsFrom(b)).as("forgotten with the peer").isZero();
            assertThat(pa.endpointFor(b)).isPresent(); // reallocated: same address, as it is derived from the key
            assertThat(pa.endpointFor(b).get().getAddress()).isEqualTo(bAtA.getAddress());
        }
    }

    @Test
    void aFailingClientMadeFromNodesTheServiceNoLongerPublishesIsReplacedAndAConnectedOneIsKept() throws Exception {
        NodePrivateKey key = NodePrivateKey.generate();
        AtomicInteger connects = new AtomicInteger();
        AtomicBoolean outdated = new AtomicBoolean();
        DerpConnector connector = new DerpConnector() {
            @Override
            public DerpClient connect(DerpRelay relay, DerpClientListener listener) {
                connects.incrementAndGet();
                return DerpClient.start(
                        DerpClientConfig.builder(relay.url(), key).build(), listener);
            }

            @Override
            public boolean outdated(DerpRelay relay) {
                return outdated.get();
            }
        };
        int deadPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            deadPort = probe.getLocalPort(); // nothing listens on this TCP port
        }
        try (DerpRelayServer server = DerpRelayServer.start(DerpRelayConfig.builder()
                        .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                        .build());
                DatagramSocket wg = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                WireGuardDerpProxy proxy = new WireGuardDerpProxy(wg.getLocalPort(), connector, k -> false)) {
            DerpRelay gone = relay("http://127.0.0.1:" + deadPort + "/derp");
            proxy.use(Optional.of(gone), Set.of(gone));
            proxy.use(Optional.of(gone), Set.of(gone));
            assertThat(connects)
                    .as("a failing client that is current keeps trying its nodes")
                    .hasValue(1);
            outdated.set(true);
            proxy.use(Optional.of(gone), Set.of(gone));
            assertThat(connects)
                    .as("the region changed while it failed: made again")
                    .hasValue(2);

            DerpRelay live = relay("http://127.0.0.1:" + server.port() + "/derp");
            outdated.set(false);
            proxy.use(Optional.of(live), Set.of(live));
            assertThat(connects)
                    .as("same relay id, so the client stays until it is outdated")
                    .hasValue(2);
            outdated.set(true);
            proxy.use(Optional.of(live), Set.of(live));
            assertThat(connects).hasValue(3);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!proxy.connected("public:900") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(proxy.connected("public:900")).isTrue();
            proxy.use(Optional.of(live), Set.of(live));
            assertThat(connects)
                    .as("a connected client is never dropped for a region change")
                    .hasValue(3);
        }
    }

    private static DerpRelay relay(String url) {
        return new DerpRelay(
                DerpRelay.Kind.PUBLIC,
                "public:900",
                URI.create(url),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty());
    }

    /** Sends until one arrives (the relay may still be registering the receiver's connection). */
    private static DatagramPacket roundTrip(DatagramSocket from, InetSocketAddress to, DatagramSocket at, String text)
            throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        at.setSoTimeout(200);
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        for (int i = 0; i < 50; i++) {
            from.send(new DatagramPacket(payload, payload.length, to));
            try {
                at.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8))
                        .isEqualTo(text);
                return in;
            } catch (SocketTimeoutException e) {
                // again
            }
        }
        throw new AssertionError("nothing arrived: " + text);
    }

    private static DerpConnector connector(NodePrivateKey key) {
        return (relay, listener) ->
                DerpClient.start(DerpClientConfig.builder(relay.url(), key).build(), listener);
    }
}
