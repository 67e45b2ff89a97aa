package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A port that is taken stops the start with one clear message, instead of a service that claims to serve on port -1. */
class StartFailureTest {
    /** Helidon's own report of the failed bind (held: JUL keeps loggers only weakly). */
    static final Logger HELIDON = Logger.getLogger("io.helidon.webserver.LoomServer");

    static {
        Logger.getLogger("").setLevel(Level.WARNING);
        HELIDON.setLevel(Level.OFF);
    }

    @TempDir
    Path dir;

    private static ServerConfig onPort(ServerConfig c, int port) {
        return new ServerConfig(
                c.listenHost(),
                port,
                c.dataDir(),
                c.dbUrl(),
                c.dbUser(),
                c.dbPassword(),
                c.stunPorts(),
                c.adminPassword(),
                c.tlsCert(),
                c.tlsKey(),
                c.tlsSelfSigned(),
                c.publicUrl(),
                c.oidcIssuer(),
                c.oidcClientId(),
                c.oidcAudience(),
                c.oidcConsoleClientId(),
                c.passwordIterations(),
                c.accessTokenTtl(),
                c.refreshTokenTtl(),
                c.watchHeartbeat(),
                c.onlineGrace(),
                c.dbPoolSize(),
                c.flags(),
                c.quiet());
    }

    @Test
    void aTakenHttpPortIsAStartError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            NexodusServer s = new NexodusServer(onPort(ServerConfig.forTests(dir), port), Clock.systemUTC(), List.of());
            assertThatThrownBy(s::start)
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port
                            + ": Address already in use (choose another --listen HOST:PORT)");
        }
        // and it let go of everything: the same data directory starts a service at once
        try (NexodusServer again = new NexodusServer(ServerConfig.forTests(dir), Clock.systemUTC(), List.of())) {
            again.start();
            assertThat(again.port()).isPositive();
        }
    }

    @Test
    void aTakenStunPortIsAStartErrorThatNamesThePorts() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
            int p1 = taken.getLocalPort();
            int p2;
            try (DatagramSocket free =
                    new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
                p2 = free.getLocalPort();
            }
            NexodusServer s = new NexodusServer(
                    ServerConfig.forTests(dir),
                    Clock.systemUTC(),
                    List.of(new EmbeddedStunServer("127.0.0.1", List.of(p1, p2))));
            assertThatThrownBy(s::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot start STUN: udp 127.0.0.1:" + p1 + ", 127.0.0.1:" + p2 + ": ")
                    .hasMessageContaining("Address already in use")
                    .hasMessageEndingWith("(choose other UDP ports with --stun-ports)");
        }
    }

    @Test
    void aDataDirectoryInUseIsOneLineNamingTheServiceThatHasIt() throws IOException {
        try (NexodusServer first = new NexodusServer(ServerConfig.forTests(dir), Clock.systemUTC(), List.of())) {
            first.start();
            NexodusServer second = new NexodusServer(ServerConfig.forTests(dir), Clock.systemUTC(), List.of());
            assertThatThrownBy(second::start)
                    .isInstanceOf(IOException.class)
                    .hasMessage("another Nexodus service (PID "
                            + ProcessHandle.current().pid()
                            + ") is using the data directory " + dir.toAbsolutePath()
                            + "; stop it, or give this one its own --data-dir");
            second.close();
            assertThat(first.port()).as("the first one keeps serving").isPositive();
        }
        // once the first has stopped, the directory is free again
        try (NexodusServer again = new NexodusServer(ServerConfig.forTests(dir), Clock.systemUTC(), List.of())) {
            again.start();
            assertThat(again.port()).isPositive();
        }
    }
}
