package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real server and client over loopback UDP sockets, in this JVM (no root, no external process). */
class StunServerTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final StunClientConfig FAST =
            StunClientConfig.defaults().withInitialRto(Duration.ofMillis(100)).withTimeout(Duration.ofSeconds(3));

    private static InetSocketAddress lo(int port) {
        return new InetSocketAddress(LO, port);
    }

    @Test
    void answersOurClientWithItsOwnAddressOnEveryPort() throws Exception {
        try (StunServer server = StunServer.start(List.of(lo(0), lo(0)), StunServerConfig.defaults());
                StunClient client = StunClient.open(lo(0), FAST)) {
            assertThat(server.localAddresses()).hasSize(2).allMatch(a -> a.getPort() > 0);
            for (InetSocketAddress s : server.localAddresses()) {
                BindingResult r = client.bind(s);
                assertThat(r).isInstanceOf(BindingResult.Success.class);
                assertThat(r.mappedAddress()).isEqualTo(client.localAddress());
            }
            assertThat(server.stats()).isEqualTo(new StunServer.Stats(2, 2, 0, 0, 0, 0));
        }
    }

    @Test
    void servesIpv6() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.ofLiteral("::1"), 0);
        try (StunServer server = StunServer.start(v6);
                StunClient client = StunClient.open(v6, FAST)) {
            BindingResult r = client.bind(server.localAddresses().getFirst());
            assertThat(r.mappedAddress()).isEqualTo(client.localAddress());
            assertThat(r.mappedAddress().orElseThrow().getAddress()).isInstanceOf(Inet6Address.class);
        }
    }

    @Test
    void wildcardDualStackSocketAnswersIpv4ClientsWithIpv4Addresses() throws Exception {
        try (StunServer server = StunServer.start(
                        List.of(new InetSocketAddress(InetAddress.getByName("::"), 0)), StunServerConfig.defaults());
                StunClient client = StunClient.open(lo(0), FAST)) {
            BindingResult r = client.bind(lo(server.port()));
            assertThat(r.mappedAddress()).isEqualTo(client.localAddress());
        }
    }

    @Test
    void classicRequestMalformedDatagramsAndNonRequestsAreCounted() throws Exception {
        try (StunServer server = StunServer.start(lo(0));
                DatagramChannel ch =
                        DatagramChannel.open(StandardProtocolFamily.INET).bind(lo(0))) {
            InetSocketAddress target = lo(server.port());
            TransactionId classic = new TransactionId(Rfc5769.hex("000102030405060708090a0b0c0d0e0f"));
            ch.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), target);
            ch.send(
                    StunCodec.encode(new StunMessage(
                            StunMessageType.BINDING_INDICATION, new TransactionId(new byte[12]), List.of(), false)),
                    target);
            ch.send(StunCodec.encode(StunMessage.bindingRequest(classic)), target);
            ByteBuffer in = ByteBuffer.allocate(2048);
            ch.receive(in);
            StunMessage r = ((StunParseResult.Parsed) StunCodec.decode(in.flip())).message();
            assertThat(r.transactionId()).isEqualTo(classic);
            assertThat(r.attribute(MappedAddress.class).orElseThrow().address()).isEqualTo(ch.getLocalAddress());
            // the datagram socket delivers in order: once the answer is here, the two before it were processed
            assertThat(server.stats()).isEqualTo(new StunServer.Stats(3, 1, 0, 1, 1, 0));
        }
    }

    @Test
    void aPortInUseFailsClearlyAndLeavesNothingBound() throws Exception {
        try (DatagramChannel taken =
                DatagramChannel.open(StandardProtocolFamily.INET).bind(lo(0))) {
            int busy = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            int free;
            try (DatagramChannel probe =
                    DatagramChannel.open(StandardProtocolFamily.INET).bind(lo(0))) {
                free = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            assertThatThrownBy(() -> StunServer.start(List.of(lo(free), lo(busy)), StunServerConfig.defaults()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot bind STUN on udp 127.0.0.1:" + busy);
            try (StunServer again = StunServer.start(lo(free))) { // the first port was released
                assertThat(again.port()).isEqualTo(free);
            }
        }
    }

    @Test
    void closeStopsServingAndReleasesThePort() throws Exception {
        StunServer server = StunServer.start(lo(0));
        int port = server.port();
        server.close();
        server.close();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("stun-udp-" + port));
        try (StunServer again = StunServer.start(lo(port));
                StunClient client = StunClient.open(lo(0), FAST)) {
            assertThat(client.bind(lo(again.port()))).isInstanceOf(BindingResult.Success.class);
        }
        try (StunClient client = StunClient.open(lo(0), FAST.withTimeout(Duration.ofMillis(300)))) {
            assertThat(client.bind(lo(port))).isInstanceOf(BindingResult.Timeout.class);
        }
    }

    @Test
    void twoOfOurServersFromOneLoopbackSocketSeeOneMapping() throws Exception {
        try (StunServer a = StunServer.start(List.of(lo(0), lo(0)), StunServerConfig.defaults());
                StunClient client = StunClient.open(lo(0), FAST)) {
            NatMapping m = new NatMappingDetector(client).detect(a.localAddresses());
            assertThat(m.behaviour()).isEqualTo(MappingBehaviour.ENDPOINT_INDEPENDENT);
            assertThat(m.symmetric()).isFalse();
            assertThat(m.reflexive()).isEqualTo(client.localAddress());
            assertThat(m.answers()).extracting(BindingResult::server).containsExactlyElementsOf(a.localAddresses());
        }
    }

    @Test
    void detectorReportsUnknownWhenOneServerIsSilent() throws Exception {
        try (StunServer a = StunServer.start(lo(0));
                DatagramChannel silent =
                        DatagramChannel.open(StandardProtocolFamily.INET).bind(lo(0));
                StunClient client = StunClient.open(lo(0), FAST.withTimeout(Duration.ofMillis(400)))) {
            NatMapping m = new NatMappingDetector(client)
                    .detect(List.of((InetSocketAddress) silent.getLocalAddress(), lo(a.port())));
            assertThat(m.behaviour()).isEqualTo(MappingBehaviour.UNKNOWN);
            assertThat(m.reflexive()).isEqualTo(client.localAddress());
            assertThat(m.answers().getFirst()).isInstanceOf(BindingResult.Timeout.class);
            assertThatThrownBy(() -> new NatMappingDetector(client).detect(List.of(lo(a.port()), lo(a.port()))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
