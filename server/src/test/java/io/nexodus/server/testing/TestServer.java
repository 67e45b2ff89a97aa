package io.nexodus.server.testing;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.auth.OidcTokenSource;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.Account;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.server.EmbeddedService;
import io.nexodus.server.NexodusServer;
import io.nexodus.server.ServerConfig;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/** An in-process Nexodus service on H2 (temp dir) or on a fresh PostgreSQL database, with login helpers. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";

    static {
        Logger.getLogger("").setLevel(Level.WARNING); // Helidon's INFO lines
    }

    private final NexodusServer server;
    private final Path dir;
    private final ServerConfig config;

    private TestServer(NexodusServer server, Path dir, ServerConfig config) {
        this.server = server;
        this.dir = dir;
        this.config = config;
    }

    public static TestServer start(Db db) {
        return start(db, UnaryOperator.identity());
    }

    public static TestServer start(Db db, UnaryOperator<ServerConfig> customize) {
        try {
            Path dir = Files.createTempDirectory("nexodus-test-");
            ServerConfig cfg = ServerConfig.forTests(dir);
            if (db == Db.POSTGRES) {
                cfg = cfg.withDb(Postgres.get().newDatabase(), "postgres", null);
            }
            return start(customize.apply(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another service instance on the same database (PostgreSQL) — a second replica. */
    public TestServer replica() {
        try {
            Path d2 = Files.createTempDirectory("nexodus-test-");
            ServerConfig c = new ServerConfig(
                    config.listenHost(),
                    0,
                    d2,
                    config.dbUrl(),
                    config.dbUser(),
                    config.dbPassword(),
                    config.stunPorts(),
                    config.adminPassword(),
                    config.tlsCert(),
                    config.tlsKey(),
                    config.tlsSelfSigned(),
                    null,
                    config.oidcIssuer(),
                    config.oidcClientId(),
                    config.oidcAudience(),
                    config.oidcConsoleClientId(),
                    config.passwordIterations(),
                    config.accessTokenTtl(),
                    config.refreshTokenTtl(),
                    config.watchHeartbeat(),
                    config.onlineGrace(),
                    config.dbPoolSize(),
                    config.flags(),
                    true);
            return start(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start(ServerConfig cfg) {
        return start(cfg, List.of());
    }

    /** A service with embedded network services (e.g. the STUN server) next to the API. */
    public static TestServer start(ServerConfig cfg, List<EmbeddedService> embedded) {
        NexodusServer s = new NexodusServer(cfg, Clock.systemUTC(), embedded);
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestServer(s, cfg.dataDir(), cfg);
    }

    public NexodusServer server() {
        return server;
    }

    public String url() {
        return server.url();
    }

    public ServerConfig config() {
        return config;
    }

    public TlsOptions tls() {
        return server.caFile() != null ? TlsOptions.trusting(server.caFile()) : TlsOptions.DEFAULT;
    }

    /** A client without credentials. */
    public NexodusClient anonymous() {
        return NexodusClient.builder(URI.create(url())).tls(tls()).build();
    }

    public NexodusClient withToken(String token) {
        return anonymous().withToken(() -> token);
    }

    public TokenResponse login(String user, String password) {
        return OidcClient.discover(anonymous()).passwordGrant(user, password);
    }

    /** Logged in as the built-in admin. */
    public NexodusClient admin() {
        return loggedIn("admin", ADMIN_PASSWORD);
    }

    public NexodusClient loggedIn(String user, String password) {
        OidcClient idp = OidcClient.discover(anonymous());
        TokenResponse t = idp.passwordGrant(user, password);
        return anonymous().withToken(new OidcTokenSource(idp, t, Clock.systemUTC(), x -> {}));
    }

    /** A new local account (created by the admin) and a client logged in as it. */
    public NexodusClient newUser(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Account a = admin().accounts()
                .create(new AddAccount(name, "password-" + name, prefix + " Tester", name + "@example.com"));
        if (a.userId() == null) {
            throw new IllegalStateException("no user for " + name);
        }
        return loggedIn(name, "password-" + name);
    }

    @Override
    public void close() {
        server.close();
        WorkDirs.deleteQuietly(dir); // temp files
    }
}
