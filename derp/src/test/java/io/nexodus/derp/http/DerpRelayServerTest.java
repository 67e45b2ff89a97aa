package io.nexodus.derp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameCodec;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.frame.PeerGoneReason;
import io.nexodus.derp.server.ConnectionCloseReason;
import io.nexodus.derp.testing.Events;
import io.nexodus.derp.testing.RawDerp;
import io.nexodus.derp.tls.CertDir;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two clients exchanging packets through one relay, over plain HTTP and over TLS. */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
class DerpRelayServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static DerpRelayConfig.Builder plain() {
        return DerpRelayConfig.builder().bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
    }

    private static void exchange(
            DerpClientConfig.Builder a, DerpClientConfig.Builder b, NodePrivateKey ka, NodePrivateKey kb)
            throws Exception {
        exchange(a, b, ka, kb, false);
    }

    private static void exchange(
            DerpClientConfig.Builder a,
            DerpClientConfig.Builder b,
            NodePrivateKey ka,
            NodePrivateKey kb,
            boolean aFastStart)
            throws Exception {
        Events ea = new Events();
        Events eb = new Events();
        try (DerpClient ca = DerpClient.start(a.build(), ea);
                DerpClient cb = DerpClient.start(b.build(), eb)) {
            assertThat(ca.awaitConnected(WAIT)).as("a connects").isTrue();
            assertThat(cb.awaitConnected(WAIT)).as("b connects").isTrue();
            assertThat(ca.stats().fastStarts()).isEqualTo(aFastStart ? 1 : 0);
            assertThat(cb.stats().fastStarts()).isZero();
            assertThat(ca.send(kb.publicKey(), new byte[] {1, 2, 3})).isTrue();
            Events.Packet p = eb.nextPacket(WAIT);
            assertThat(p.source()).isEqualTo(ka.publicKey());
            assertThat(p.data()).containsExactly(1, 2, 3);
            byte[] big = new byte[65536];
            big[65535] = 7;
            assertThat(cb.send(ka.publicKey(), big)).isTrue();
            Events.Packet back = ea.nextPacket(WAIT);
            assertThat(back.source()).isEqualTo(kb.publicKey());
            assertThat(back.data()).isEqualTo(big);
            assertThat(ca.send(kb.publicKey(), new byte[65537]))
                    .as("over 64 KiB is refused")
                    .isFalse();
            assertThat(ca.ping().get().toNanos()).isPositive();
            // b received from a: when a leaves the region, b is told.
            ca.close();
            Events.Gone g = eb.nextGone(WAIT);
            assertThat(g.peer()).isEqualTo(ka.publicKey());
            assertThat(g.reason()).isEqualTo(PeerGoneReason.DISCONNECTED);
        }
    }

    @Test
    void plainHttpRoundTrip() throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(plain().build())) {
            URI url = URI.create("http://127.0.0.1:" + relay.port() + "/derp");
            NodePrivateKey ka = NodePrivateKey.generate();
            NodePrivateKey kb = NodePrivateKey.generate();
            exchange(DerpClientConfig.builder(url, ka).preferred(true), DerpClientConfig.builder(url, kb), ka, kb);
            assertThat(relay.stats().packetsSent()).isEqualTo(2);
            assertThat(relay.stats().peerGoneDisconnectedFrames()).isEqualTo(1);
            assertThat(relay.stats().pongsSent()).isEqualTo(1);
        }
    }

    /** Manual mode with a CA the test makes; the client dials an IP but verifies the hostname (certmodemanual). */
    @Test
    void tlsManualCertificatesWithAddressOverride(@TempDir Path dir) throws Exception {
        CertDir certDir = new CertDir(dir);
        SelfSignedCa ca = certDir.selfSignedCa(Clock.systemUTC());
        certDir.issue(ca, "relay.example.test");
        try (DerpRelayServer relay = DerpRelayServer.start(plain().tlsMode(TlsMode.MANUAL)
                .certDir(dir)
                .hostname("relay.example.test")
                .build())) {
            SSLContext trust = TrustBundles.trusting(ca.certificateFile());
            URI url = URI.create("https://relay.example.test:" + relay.port() + "/derp");
            InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), relay.port());
            NodePrivateKey ka = NodePrivateKey.generate();
            NodePrivateKey kb = NodePrivateKey.generate();
            // a uses fast start (TLS 1.3 + meta cert), b the 101 exchange.
            exchange(
                    DerpClientConfig.builder(url, ka).sslContext(trust).dialAddress(at),
                    DerpClientConfig.builder(url, kb)
                            .sslContext(trust)
                            .dialAddress(at)
                            .fastStart(false),
                    ka,
                    kb,
                    true);

            // A client that does not trust the CA fails the handshake, and the relay counts it.
            Events e = new Events();
            try (DerpClient untrusting = DerpClient.start(
                    DerpClientConfig.builder(url, NodePrivateKey.generate())
                            .dialAddress(at)
                            .backoff(Duration.ofMillis(50), Duration.ofMillis(100))
                            .build(),
                    e)) {
                assertThat(untrusting.awaitConnected(Duration.ofSeconds(1))).isFalse();
            }
        }
    }

    @Test
    void tlsRefusesWrongOrMissingSniAndH2OnlyAlpn(@TempDir Path dir) throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(plain().tlsMode(TlsMode.SELF_SIGNED)
                .certDir(dir)
                .hostname("derp.example.test")
                .build())) {
            assertThat(relay.caCertificateFile()).contains(dir.resolve("ca.crt"));
            Path trust = relay.caCertificateFile().get();
            assertThat(handshake(trust, relay.port(), "derp.example.test", "http/1.1"))
                    .isEqualTo("http/1.1");
            assertThatThrownBy(() -> handshake(trust, relay.port(), "other.example.test", "http/1.1"))
                    .isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> handshake(trust, relay.port(), null, "http/1.1"))
                    .isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> handshake(trust, relay.port(), "derp.example.test", "h2"))
                    .isInstanceOf(SSLHandshakeException.class);
            // Plain HTTP on the TLS port is not TLS: dropped and counted like the three refusals above.
            try (RawDerp raw = RawDerp.open(relay.port())) {
                raw.writeRaw("GET /derp HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(raw.closedByServer()).isTrue();
            }
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> relay.stats().closed(ConnectionCloseReason.TLS_HANDSHAKE_FAILED) == 4);
            // Restart with the same directory: the CA is reused, so clients keep trusting it.
            String caPem = Files.readString(dir.resolve("ca.crt"));
            relay.close();
            try (DerpRelayServer again = DerpRelayServer.start(plain().tlsMode(TlsMode.SELF_SIGNED)
                    .certDir(dir)
                    .hostname("derp.example.test")
                    .build())) {
                assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(caPem);
                assertThat(handshake(trust, again.port(), "derp.example.test", "http/1.1"))
                        .isEqualTo("http/1.1");
                assertThat(again.stats().connectionsClosed()).isNotNull();
            }
        }
    }

    /** TLS 1.2 clients are served too, over the SSLEngine transport (no ALPN offered here). */
    @Test
    void tls12ClientsAreServed(@TempDir Path dir) throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(plain().tlsMode(TlsMode.SELF_SIGNED)
                .certDir(dir)
                .hostname("derp.example.test")
                .build())) {
            SSLContext trust = TrustBundles.trusting(relay.caCertificateFile().orElseThrow());
            try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", relay.port())) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("derp.example.test")));
                p.setProtocols(new String[] {"TLSv1.2"});
                s.setSSLParameters(p);
                s.setSoTimeout(5000);
                // A whole DERP session by hand over TLS 1.2: upgrade, key exchange, a packet to ourselves.
                s.getOutputStream().write("""
                                GET /derp HTTP/1.1\r
                                Host: derp.example.test\r
                                Connection: Upgrade\r
                                Upgrade: DERP\r
                                \r
                                """.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                FrameReader r = new FrameReader(s.getInputStream());
                assertThat(r.readLine(100)).isEqualTo("HTTP/1.1 101 Switching Protocols");
                while (!r.readLine(1000).isEmpty()) {
                    // headers
                }
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
                var fl = FrameLimits.CLIENT;
                var serverKey = ((Frame.ServerKey) r.readFrame(fl)).key();
                assertThat(serverKey).isEqualTo(relay.publicKey());
                NodePrivateKey k = NodePrivateKey.generate();
                byte[] info = ClientInfo.regular().toJson().getBytes(StandardCharsets.UTF_8);
                s.getOutputStream()
                        .write(FrameCodec.encode(new Frame.ClientInfoFrame(
                                k.publicKey(), NaclBox.sealTo(k, serverKey, info, new SecureRandom()))));
                assertThat(r.readFrame(fl)).isInstanceOf(Frame.ServerInfoFrame.class);
                byte[] big = new byte[40_000];
                big[39_999] = 9;
                s.getOutputStream().write(FrameCodec.encode(new Frame.SendPacket(k.publicKey(), big)));
                assertThat(r.readFrame(fl)).isEqualTo(new Frame.RecvPacket(k.publicKey(), big));
            }
        }
    }

    private static String handshake(Path ca, int port, String sni, String alpn) throws IOException {
        // A fresh context each time, so no TLS session is resumed across cases.
        SSLContext trust = TrustBundles.trusting(ca);
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            p.setApplicationProtocols(new String[] {alpn});
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            s.startHandshake();
            return s.getApplicationProtocol();
        }
    }

    /** The exact 101 bytes of §1.3, the ServerKey right behind them, and Ideal-Node marking a connection not ideal. */
    @Test
    void upgradeResponseIsExactlyTailscales() throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(plain().build());
                RawDerp raw = RawDerp.open(relay.port())) {
            raw.writeRaw("""
                    GET /derp HTTP/1.1\r
                    Host: localhost\r
                    User-Agent: Go-http-client/1.1\r
                    Connection: Upgrade\r
                    Ideal-Node: 900a\r
                    Upgrade: DERP\r
                    \r
                    """.getBytes(StandardCharsets.US_ASCII));
            String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n"
                    + "Derp-Version: 2\r\nDerp-Public-Key: " + relay.publicKey().toHex() + "\r\n\r\n";
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                got.append(raw.in.readLine(200)).append("\r\n");
            }
            got.append(raw.in.readLine(200)).append("\r\n");
            assertThat(got.toString()).isEqualTo(head);
            assertThat(raw.next()).isEqualTo(new Frame.ServerKey(relay.publicKey()));
            raw.serverKey = relay.publicKey();
            raw.sendClientInfo(NodePrivateKey.generate(), ClientInfo.regular());
            assertThat(raw.next()).isInstanceOf(Frame.ServerInfoFrame.class);
            Awaitility.await().atMost(WAIT).until(() -> relay.stats().currentNotIdealConnections() == 1);
        }
    }

    @Test
    void letsEncryptIsRefusedClearly(@TempDir Path dir) {
        assertThatThrownBy(() -> DerpRelayServer.start(
                        plain().tlsMode(TlsMode.LETSENCRYPT).certDir(dir).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("letsencrypt")
                .hasMessageContaining("manual");
        assertThatThrownBy(() -> DerpRelayServer.start(plain().tlsMode(TlsMode.MANUAL)
                        .certDir(dir)
                        .hostname("missing.example")
                        .build()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing.example.crt");
        assertThatThrownBy(() -> plain().tlsMode(TlsMode.MANUAL).build()).hasMessageContaining("--certdir");
    }

    @Test
    void httpEndpoints() throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(plain().build());
                HttpClient http = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()) {
            String base = "http://127.0.0.1:" + relay.port();
            HttpResponse<String> probe = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/derp/probe")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).isEqualTo(200);
            assertThat(probe.headers().firstValue("Access-Control-Allow-Origin"))
                    .contains("*");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/derp/latency-check"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/derp/probe"))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .isEqualTo("bogus probe method\n");
            HttpResponse<String> noUpgrade = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/derp")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noUpgrade.statusCode()).isEqualTo(426);
            assertThat(noUpgrade.body()).isEqualTo("DERP requires connection upgrade\n");
            HttpResponse<String> g204 = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/generate_204"))
                            .header("X-Tailscale-Challenge", "abc.DEF:1")
                            .header("X-Nexodus-Challenge", "xyz-9")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(g204.statusCode()).isEqualTo(204);
            assertThat(g204.headers().firstValue("X-Tailscale-Response")).contains("response abc.DEF:1");
            assertThat(g204.headers().firstValue("X-Nexodus-Response")).contains("response xyz-9");
            assertThat(g204.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
            HttpResponse<String> bad = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/generate_204"))
                            .header("X-Nexodus-Challenge", "has:colon")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.headers().firstValue("X-Nexodus-Response")).isEmpty();
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .contains("DERP relay");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/nope"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(404);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/derp/sdf"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(404);
            HttpResponse<String> varz = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/debug/varz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(varz.statusCode()).isEqualTo(200);
            assertThat(varz.body())
                    .contains("derp_accepts ")
                    .contains("derp_packets_forwarded_out ")
                    .contains("derp_connections_closed{reason=\"insufficient_permissions\"} 0")
                    .contains("derp_packets_dropped{reason=\"unknown_dest\"} 0");
        }
    }
}
