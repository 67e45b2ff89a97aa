package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.FreePorts;
import io.nexodus.testkit.RequiresNetns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with STUN implementations nobody here wrote: Debian's {@code stun} client (Vovida 0.97, a classic
 * RFC 3489 client) against our server, and our client against coturn's {@code turnserver} in STUN-only mode. Both
 * run on loopback; the processes are stopped by try-with-resources also when an assertion fails.
 */
@RequiresNetns(commands = {"stun", "turnserver"})
class StunInteropIT {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final StunClientConfig FAST =
            StunClientConfig.defaults().withInitialRto(Duration.ofMillis(100)).withTimeout(Duration.ofSeconds(3));

    @TempDir
    Path tmp;

    @Test
    void debianStunClientGetsItsMappedAddressFromOurServer() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(LO, 0))) {
            int source = FreePorts.udp();
            // test 1 = one Binding Request without changes; -p fixes the client's source port
            Cmd.Result r = Cmd.tryRun(
                    Duration.ofSeconds(20),
                    List.of("stun", "127.0.0.1:" + server.port(), "1", "-v", "-p", Integer.toString(source)));
            String out = r.stdout() + r.stderr();
            assertThat(out).contains("MappedAddress = 127.0.0.1:" + source).contains("ok=1");
            assertThat(server.stats().successResponses()).isEqualTo(1);
            assertThat(server.stats().malformed()).isZero();
        }
    }

    @Test
    void debianStunClientNatTypeRunIsNotMisledByChangeRequests() throws Exception {
        // The classic NAT-type run also asks for responses from another IP/port (CHANGE-REQUEST). We have no
        // alternate address, so we stay silent to those rather than answer from the wrong place; the client then
        // must not conclude "Open".
        try (StunServer server = StunServer.start(new InetSocketAddress(LO, 0))) {
            Cmd.Result r = Cmd.tryRun(Duration.ofSeconds(30), List.of("stun", "127.0.0.1:" + server.port(), "-v"));
            String out = r.stdout() + r.stderr();
            assertThat(out)
                    .contains("MappedAddress = 127.0.0.1:")
                    .contains("test I = 1")
                    .contains("test II = 0")
                    .doesNotContain("Primary: Open");
            assertThat(server.stats().errorResponses()).isZero();
            assertThat(server.stats().ignored()).isPositive();
        }
    }

    @Test
    void ourClientAgainstCoturn() throws Exception {
        boolean v6 = hasIpv6Loopback();
        int port = FreePorts.udp();
        List<String> argv = new ArrayList<>(List.of(
                "turnserver",
                "-n",
                "--stun-only",
                "--no-auth",
                "--no-tls",
                "--no-dtls",
                "--no-tcp",
                "--no-cli",
                "--no-rfc5780",
                "--listening-ip",
                "127.0.0.1",
                "--listening-port",
                Integer.toString(port),
                "--log-file",
                "stdout",
                "--simple-log",
                "--pidfile",
                tmp.resolve("turnserver.pid").toString(),
                "--db",
                tmp.resolve("turndb").toString()));
        if (v6) {
            argv.addAll(List.of("--listening-ip", "::1"));
        }
        try (ChildProcess coturn = ChildProcess.start(tmp.resolve("coturn.log"), argv)) {
            coturn.awaitOutput("Total General servers", Duration.ofSeconds(15));
            List<InetAddress> targets = v6 ? List.of(LO, InetAddress.ofLiteral("::1")) : List.of(LO);
            for (InetAddress ip : targets) {
                InetSocketAddress server = new InetSocketAddress(ip, port);
                try (StunClient client = StunClient.open(new InetSocketAddress(ip, 0), FAST)) {
                    BindingResult r = client.bind(server);
                    assertThat(r)
                            .as("coturn on %s, log:%n%s", server, coturn.output())
                            .isInstanceOf(BindingResult.Success.class);
                    assertThat(r.mappedAddress()).isEqualTo(client.localAddress());
                }
                // and its response, parsed by our codec: XOR-MAPPED-ADDRESS plus a FINGERPRINT our decoder verified
                StunMessage response = exchangeRaw(server);
                assertThat(response.type()).isEqualTo(StunMessageType.BINDING_SUCCESS);
                assertThat(response.attribute(XorMappedAddress.class)).isPresent();
                assertThat(response.fingerprint())
                        .as("coturn answers a fingerprinted request with FINGERPRINT")
                        .isTrue();
            }
            // a comprehension-required attribute coturn does not know: it must answer 420 and our client report it
            StunMessage withUnknown = new StunMessage(
                    StunMessageType.BINDING_REQUEST,
                    TransactionId.random(new Random()),
                    List.of(new OpaqueAttribute(0x7ff0, new byte[4])),
                    true);
            StunMessage error = exchangeRaw(new InetSocketAddress(LO, port), withUnknown);
            assertThat(error.type()).isEqualTo(StunMessageType.BINDING_ERROR);
            assertThat(error.attribute(ErrorCode.class).orElseThrow().code()).isEqualTo(420);
            assertThat(error.attribute(UnknownAttributes.class).orElseThrow().types())
                    .contains(0x7ff0);
        }
    }

    private static StunMessage exchangeRaw(InetSocketAddress server) throws Exception {
        return exchangeRaw(
                server,
                new StunMessage(
                        StunMessageType.BINDING_REQUEST,
                        TransactionId.random(new Random()),
                        List.of(new Software("nexodus-interop")),
                        true));
    }

    /** One request/response over a plain socket, retried a few times (UDP on a busy machine). */
    private static StunMessage exchangeRaw(InetSocketAddress server, StunMessage request) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0))) {
            socket.setSoTimeout(500);
            ByteBuffer encoded = StunCodec.encode(request);
            byte[] out = new byte[encoded.remaining()];
            encoded.get(out);
            DatagramPacket in = new DatagramPacket(new byte[StunCodec.MAX_DATAGRAM], StunCodec.MAX_DATAGRAM);
            for (int attempt = 0; attempt < 6; attempt++) {
                socket.send(new DatagramPacket(out, out.length, server));
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                StunParseResult r = StunCodec.decode(in.getData(), 0, in.getLength());
                assertThat(r).isInstanceOf(StunParseResult.Parsed.class);
                StunMessage m = ((StunParseResult.Parsed) r).message();
                assertThat(m.transactionId()).isEqualTo(request.transactionId());
                return m;
            }
            throw new AssertionError("no answer from " + server);
        }
    }

    private static boolean hasIpv6Loopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        return lo != null && lo.inetAddresses().anyMatch(a -> a.getHostAddress().startsWith("0:0:0:0:0:0:0:1"));
    }
}
