package io.nexodus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.nexodus.nexd.agent.AgentConfig;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's checks and the agent configuration it makes; a start against a service that is not there. */
class NexodusNodeBuilderTest {
    @TempDir
    Path dir;

    @Test
    void aRegKeyWithTheServiceInItMakesAProxyModeAgentWithNexdsDefaults() {
        AgentConfig c = NexodusNode.builder()
                .regKey("https://nexodus.example.com:8443#RK:abc")
                .stateDir(dir)
                .hostname("app-1")
                .agentConfig();
        assertThat(c.isProxy()).isTrue();
        assertThat(c.proxy().rules()).isEmpty();
        assertThat(c.serviceUrl()).hasToString("https://nexodus.example.com:8443");
        assertThat(c.regKey()).contains("RK:abc");
        assertThat(c.username()).isEmpty();
        assertThat(c.stunServers()).containsExactly("nexodus.example.com:3478", "nexodus.example.com:3479");
        assertThat(c.controlSocket()).isEqualTo(dir.resolve("nexd.sock"));
        assertThat(c.stateDir()).isEqualTo(dir);
        assertThat(c.hostname()).isEqualTo("app-1");
        assertThat(c.mtu()).isEqualTo(1420);
        assertThat(c.usesWireGuardGo()).isFalse();
        assertThat(c.registersAsRelay()).isFalse();
        assertThat(c.router().isRouter()).isFalse();
    }

    @Test
    void aUserLoginNeedsTheServiceUrl() {
        AgentConfig c = NexodusNode.builder()
                .serviceUrl("https://svc.example/")
                .login("alice", "secret")
                .stateDir(dir)
                .stunServers("a:1", "b:2")
                .agentConfig();
        assertThat(c.serviceUrl()).hasToString("https://svc.example");
        assertThat(c.username()).contains("alice");
        assertThat(c.password()).contains("secret");
        assertThat(c.regKey()).isEmpty();
        assertThat(c.stunServers()).containsExactly("a:1", "b:2");
    }

    @Test
    void wrongOrMissingSettingsAreNamed() {
        assertThatThrownBy(() -> NexodusNode.builder().regKey("https://h#RK:x").agentConfig())
                .hasMessageContaining("stateDir");
        assertThatThrownBy(
                        () -> NexodusNode.builder().regKey("RK:x").stateDir(dir).agentConfig())
                .hasMessageContaining("serviceUrl is required");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("https://h")
                        .regKey("https://h#RK:x")
                        .stateDir(dir)
                        .agentConfig())
                .hasMessageContaining("do not set serviceUrl");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("https://h")
                        .regKey("token")
                        .stateDir(dir)
                        .agentConfig())
                .hasMessageContaining("RK:");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("https://h")
                        .regKey("RK:x")
                        .login("u", "p")
                        .stateDir(dir)
                        .agentConfig())
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("ftp://h")
                        .regKey("RK:x")
                        .stateDir(dir)
                        .agentConfig())
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("https://h")
                        .stateDir(dir)
                        .agentConfig())
                .hasMessageContaining("no credentials");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .regKey("https://h#RK:x")
                        .stateDir(dir)
                        .stunServers("one:3478")
                        .agentConfig())
                .hasMessageContaining("at least two");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .regKey("https://h#RK:x")
                        .stateDir(dir)
                        .mtu(1000)
                        .agentConfig())
                .hasMessageContaining("1280");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .regKey("https://h#RK:x")
                        .stateDir(dir.resolve("x".repeat(120)))
                        .agentConfig())
                .hasMessageContaining("controlSocket");
        assertThatThrownBy(() -> NexodusNode.builder()
                        .regKey("https://h#RK:x")
                        .stateDir(dir)
                        .caCert(dir.resolve("missing.pem"))
                        .agentConfig())
                .hasMessageContaining("caCert");
    }

    @Test
    void aRefusedRegistrationKeyEndsTheStartWithTheAgentsReason() throws Exception {
        // a stand-in for the service on loopback that refuses every request as unauthenticated
        HttpServer refusing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        refusing.createContext("/", exchange -> {
            byte[] body = "{\"error\":\"invalid registration key\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        refusing.start();
        try {
            int port = refusing.getAddress().getPort();
            assertThatThrownBy(() -> NexodusNode.builder()
                            .serviceUrl("http://127.0.0.1:" + port)
                            .regKey("RK:wrong")
                            .stateDir(dir)
                            .stunServers("127.0.0.1:" + port, "127.0.0.1:" + (port + 1))
                            .startTimeout(Duration.ofSeconds(30))
                            .start())
                    .isInstanceOf(NodeStartException.class)
                    .hasMessageContaining("cannot join the VPC: the service rejected the registration key");
        } finally {
            refusing.stop(0);
        }
    }

    @Test
    void startGivesUpAfterItsTimeoutWhenTheServiceIsNotThereAndFreesItsPorts() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        int wgPort;
        try (DatagramSocket d = new DatagramSocket(0)) {
            wgPort = d.getLocalPort();
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> NexodusNode.builder()
                        .serviceUrl("http://127.0.0.1:" + closed)
                        .regKey("RK:nobody")
                        .stateDir(dir)
                        .listenPort(wgPort)
                        .stunServers("127.0.0.1:" + closed, "127.0.0.1:" + (closed + 1))
                        .startTimeout(Duration.ofSeconds(2))
                        .start())
                .isInstanceOf(NodeStartException.class)
                .hasMessageContaining("not joined within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        // the agent stopped: its WireGuard port is free again
        try (DatagramSocket d = new DatagramSocket(wgPort)) {
            assertThat(d.getLocalPort()).isEqualTo(wgPort);
        }
        assertThat(List.of(dir.toFile().list())).contains("state.json");
    }
}
