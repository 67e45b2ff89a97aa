package io.nexodus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexodus.api.client.Json;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.server.audit.AuditLog;
import io.nexodus.server.audit.AuditRoutes;
import io.nexodus.server.auth.Accounts;
import io.nexodus.server.auth.ExternalOidc;
import io.nexodus.server.auth.IdentityProvider;
import io.nexodus.server.auth.LocalIdp;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.auth.PasswordHasher;
import io.nexodus.server.auth.SigningKeys;
import io.nexodus.server.auth.TokenAuthenticator;
import io.nexodus.server.auth.TokenIssuer;
import io.nexodus.server.console.ConsoleRoutes;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Dialect;
import io.nexodus.server.db.PgNotificationListener;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.http.ApiRouter;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.OpenApiDocument;
import io.nexodus.server.http.Route;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.ipam.IpamStore;
import io.nexodus.server.ops.ServiceRoutes;
import io.nexodus.server.peermap.PeerMapKeys;
import io.nexodus.server.relay.RelayRoutes;
import io.nexodus.server.relay.RelayStore;
import io.nexodus.server.relay.Relays;
import io.nexodus.server.tls.DevelopmentTls;
import io.nexodus.server.tls.TlsMaterial;
import io.nexodus.server.user.Users;
import io.nexodus.server.watch.DatabaseFeedSource;
import io.nexodus.server.watch.FeedRegistry;
import io.nexodus.server.watch.NoticeRoutes;
import io.nexodus.server.watch.Notices;
import io.nexodus.server.watch.OnlineTracker;
import io.nexodus.server.watch.WatchRoutes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nexodus service, wired: database, IPAM, identity, watch feeds, REST routes, HTTP(S) server. {@link #start}
 * returns once it serves; {@link #close} shuts down gracefully (readiness off, watch streams ended cleanly, requests
 * drained, database closed). Tests run it in-process; {@code Main} runs it for people.
 */
public final class NexodusServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NexodusServer.class);
    /** This build's version, the one nexd and nexctl report too. */
    public static final String VERSION = NexodusVersion.current();

    public static final String ADMIN_USERNAME = "admin";

    private final ServerConfig config;
    private final Clock clock;
    private final List<EmbeddedService> embedded;
    private final String instanceId = UUID.randomUUID().toString();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nexodus-timer");
        t.setDaemon(true);
        return t;
    });
    private Database db;
    /** Held while the service runs: one service per data directory (the database, keys and admin password). */
    private AutoCloseable dataDirLock;

    private FeedRegistry feeds;
    private OnlineTracker online;
    private PgNotificationListener pgListener;
    private Notices notices;
    private WebServer web;
    private ApiRouter router;
    private volatile String publicUrl;
    private volatile boolean ready;
    private Path adminPasswordFile;
    private boolean adminPasswordGenerated;
    private String generatedAdminPassword;
    private Path caFile;
    private volatile boolean closed;
    private volatile boolean draining;

    public NexodusServer(ServerConfig config, Clock clock, List<EmbeddedService> embedded) {
        this.config = config;
        this.clock = clock;
        this.embedded = List.copyOf(embedded);
    }

    public static NexodusServer start(ServerConfig config) throws IOException {
        NexodusServer s = new NexodusServer(config, Clock.systemUTC(), List.of());
        s.start();
        return s;
    }

    public void start() throws IOException {
        DataDir.prepare(config.dataDir()).ifPresent(log::warn);
        dataDirLock = DataDir.lock(config.dataDir(), ProcessHandle.current().pid());
        String dbUrl = config.dbUrl() != null ? config.dbUrl() : Database.embeddedUrl(config.dataDir());
        try {
            db = Database.open(dbUrl, config.dbUser(), config.dbPassword(), config.dbPoolSize(), clock);
            startWithDatabase();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startWithDatabase() throws IOException {
        ObjectMapper json = Json.mapper();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        embedded.forEach(s -> s.bindMetrics(meters));
        // the revision lock serializes every write of watchable rows (and IPAM): how busy it is says whether it is the
        // limit
        FunctionCounter.builder("nexodus.db.revision.lock.work.seconds", db, Database::revisionLockWorkSeconds)
                .description("time between taking the revision lock and starting to commit")
                .register(meters);
        FunctionCounter.builder("nexodus.db.revision.lock.commit.seconds", db, Database::revisionLockCommitSeconds)
                .description("time the commits of transactions holding the revision lock took")
                .register(meters);
        FunctionCounter.builder("nexodus.db.revision.lock.wait.seconds", db, Database::revisionLockWaitSeconds)
                .description("time transactions waited for the revision lock")
                .register(meters);
        FunctionCounter.builder("nexodus.db.revision.lock.acquisitions", db, Database::revisionLockAcquisitions)
                .description("transactions that took the revision lock")
                .register(meters);

        // First-start steps: on PostgreSQL they run under the first-start lock Database.open took (replicas started
        // together run them one after the other, and later ones find what the first created).
        Ipam ipam = new Ipam(new IpamStore());
        step(
                "create the shared IPAM pools",
                () -> db.write(tx -> {
                    ipam.ensurePool(tx, Ipam.sharedPoolId(false), Cidr.parse(Ipam.SHARED_V4));
                    ipam.ensurePool(tx, Ipam.sharedPoolId(true), Cidr.parse(Ipam.SHARED_V6));
                    return null;
                }));
        SigningKeys keys = step("load or create the token signing key", () -> SigningKeys.loadOrCreate(db));
        PeerMapKeys peerMapKeys = step("load or create the peer-map signing key", () -> PeerMapKeys.loadOrCreate(db));
        Resources resources = new Resources(db, ipam, config.flags(), meters, clock, peerMapKeys);
        Users users = resources.users();
        Accounts accounts = new Accounts(db, new PasswordHasher(config.passwordIterations()));
        TokenIssuer issuer = new TokenIssuer(keys, () -> publicUrl, clock, config.accessTokenTtl());

        if (config.oidcIssuer() == null) {
            step("create or check the admin account", () -> {
                ensureAdmin(accounts, users);
                return null;
            });
        }
        db.firstStartDone(); // replicas started at the same moment now find the pools, keys and admin account

        AuditLog audit = new AuditLog(db);
        IdentityProvider idp;
        LocalIdp local = null;
        ConsoleRoutes.Login consoleLogin = ConsoleRoutes.Login.builtIn();
        if (config.oidcIssuer() != null) {
            ExternalOidc external = ExternalOidc.discover(
                    config.oidcIssuer(),
                    config.oidcClientId(),
                    config.oidcConsoleClientId(),
                    config.oidcAudience(),
                    clock,
                    Duration.ofSeconds(30));
            idp = external;
            ExternalOidc.Endpoints e = external.endpoints();
            consoleLogin = ConsoleRoutes.Login.external(
                    config.oidcConsoleClientId(), e.authorization(), e.token(), e.endSession());
        } else {
            local = new LocalIdp(
                    db, accounts, keys, issuer, users, audit, clock, config.refreshTokenTtl(), () -> publicUrl);
            idp = local;
        }

        online = new OnlineTracker(db, new DeviceStore(), timer, config.onlineGrace());
        if (db.dialect() == Dialect.H2) {
            online.resetAll();
        }
        feeds = new FeedRegistry(
                new DatabaseFeedSource(db), json, meters, timer, Duration.ofMinutes(5), System::nanoTime);
        MembershipStore membershipRows = new MembershipStore();
        notices = new Notices(user -> db.read(tx -> Set.copyOf(membershipRows.organizationsOf(tx, user))));
        db.onCommitted(
                topics -> {
                    feeds.signals(topics);
                    notices.signals(topics);
                },
                instanceId);
        if (db.dialect() == Dialect.POSTGRES) {
            pgListener = new PgNotificationListener(
                            db.jdbcUrl(), config.dbUser(), config.dbPassword(), instanceId, topic -> {
                                feeds.signal(topic);
                                notices.signal(topic);
                            })
                    .start();
        }

        FeatureFlags flags = config.flags();
        router = new ApiRouter(new TokenAuthenticator(db, idp, users, clock), json, meters, audit);
        router.addAll(resources.routes())
                .addAll(new AuditRoutes(audit).routes())
                .addAll(new WatchRoutes(resources.watchAccess(), feeds, online, config.watchHeartbeat(), json).routes())
                .addAll(new NoticeRoutes(notices, config.watchHeartbeat(), json).routes())
                .addAll(new RelayRoutes(
                                new Relays(
                                        db,
                                        new RelayStore(),
                                        () -> embedded.stream()
                                                .flatMap(s -> s.publicRelays().stream())
                                                .toList()),
                                () -> ready)
                        .routes());
        if (local != null) {
            router.addAll(local.routes());
        }
        router.addAll(new ConsoleRoutes(consoleLogin).routes());
        Object[] openApi = new Object[1];
        router.addAll(
                new ServiceRoutes(flags, idp, keys, db, meters, () -> ready && !draining && !closed, () -> openApi[0])
                        .routes());

        TlsMaterial tls = step("prepare the TLS certificate", this::tlsMaterial);
        int port = config.listenPort();
        WebServerConfig.Builder wb = WebServer.builder()
                .host(config.listenHost())
                .port(port)
                .shutdownHook(false)
                // above the handlers' own limit (Call.MAX_BODY): a body between the two is read to its end and refused
                // by the handler with a full answer the client surely receives; only a body announced larger than
                // this is refused before it is read
                .maxPayloadSize(16L * Call.MAX_BODY)
                .shutdownGracePeriod(Duration.ofSeconds(5))
                .idleConnectionTimeout(Duration.ofMinutes(10))
                .backlog(4096)
                // Per connection, Helidon's NIO socket keeps an 8 KB read and an 8 KB write buffer and splits every
                // write
                // into 8 KB socket writes; the plain socket keeps one 8 KB read buffer and writes a response chunk with
                // one call. The only streaming responses (watch streams) batch their lines themselves, so the 4 KB
                // response buffer would only add a copy: 10 000 open streams hold ~120 MB less this way.
                .useNio(false)
                .writeBufferSize(0)
                .directHandlers(d -> {
                    for (DirectHandler.EventType t : DirectHandler.EventType.values()) {
                        d.addHandler(
                                t,
                                (req, type, status, headers, message) -> DirectHandler.TransportResponse.builder()
                                        .status(status)
                                        .headers(headers)
                                        .header(HeaderNames.CONTENT_TYPE, "application/json")
                                        .entity(router.errorBytes(
                                                status.code() == 413
                                                        ? Call.BODY_TOO_LARGE
                                                        : message == null || message.isBlank()
                                                                ? status.reasonPhrase()
                                                                : message))
                                        .build());
                    }
                })
                .routing(router::register);
        if (tls != null) {
            wb.tls(Tls.builder()
                    .privateKey(tls.key())
                    .privateKeyCertChain(tls.chain())
                    .build());
        }
        if (port != 0) {
            // Helidon reports a failed bind with a long stack trace of its own: find a taken port before it tries
            Optional<String> taken = bindProblem(config.listenHost(), port);
            if (taken.isPresent()) {
                throw new IOException("cannot listen on " + config.listenHost() + ":" + port + ": " + taken.get()
                        + " (choose another --listen HOST:PORT)");
            }
        }
        web = wb.build().start();
        if (!web.isRunning()
                || web.port() < 0) { // Helidon logs a failed bind and returns a server that is not listening
            throw new IOException("cannot listen on " + config.listenHost() + ":" + port + ": "
                    + bindProblem(config.listenHost(), port).orElse("the HTTP server did not start")
                    + " (choose another --listen HOST:PORT)");
        }
        publicUrl = config.publicUrl() != null
                ? config.publicUrl().replaceAll("/+$", "")
                : derivedUrl(tls != null, web.port());
        openApi[0] = OpenApiDocument.build(router.routes(), publicUrl, VERSION, json);

        DeviceStore deviceStore = new DeviceStore();
        DeviceKeys deviceKeys = new DeviceKeys() {
            @Override
            public Optional<UUID> vpcOf(NodePublicKey key) {
                return db.read(tx -> deviceStore.vpcByPublicKey(tx, key.toBase64()));
            }

            @Override
            public Map<NodePublicKey, UUID> all() {
                Map<NodePublicKey, UUID> m = new HashMap<>();
                db.read(tx -> deviceStore.liveKeys(tx)).forEach((k, vpc) -> m.put(NodePublicKey.fromBase64(k), vpc));
                return m;
            }

            @Override
            public long revision() {
                return db.read(tx -> deviceStore.maxRevision(tx));
            }
        };
        EmbeddedContext context =
                new EmbeddedContext(publicUrl, Optional.ofNullable(tls), config.dataDir(), clock, deviceKeys, db);
        for (EmbeddedService s : embedded) {
            try {
                s.start(context);
            } catch (Exception e) {
                throw new IOException(
                        "cannot start " + s.describe().replaceAll("\\s+", " ") + ": " + e.getMessage(), e);
            }
        }
        ready = true;
        log.info(
                "serving {} (database {}, identity {})",
                publicUrl,
                db.dialect(),
                config.oidcIssuer() == null ? "built-in" : config.oidcIssuer());
    }

    /** A first-start step that may fail. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws IOException;
    }

    /** Runs a first-start step; its failure names the step, so the start-up error line says what did not happen. */
    private static <T> T step(String what, Step<T> step) throws IOException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot " + what, e);
        }
    }

    private void ensureAdmin(Accounts accounts, Users users) throws IOException {
        adminPasswordFile = config.dataDir().resolve("admin-password");
        var existing = accounts.findByUsername(ADMIN_USERNAME);
        if (existing.isEmpty()) {
            String password = config.adminPassword();
            boolean generated = password == null || password.isBlank();
            if (generated) {
                password = randomPassword();
            }
            var a = accounts.create(ADMIN_USERNAME, password, "Administrator", null, true)
                    .orElseThrow(() -> new IllegalStateException(
                            "the admin account was created by another process at the same moment"
                                    + " (is another service using this database without the first-start lock?)"));
            if (generated) {
                adminPasswordGenerated = true;
                generatedAdminPassword = password;
                SecretFiles.writeSecret(adminPasswordFile, password + "\n");
            }
            users.provision(LocalIdpClaims.of(a));
        } else if (config.adminPassword() != null
                && !config.adminPassword().isBlank()
                && !accounts.hasher()
                        .verify(
                                config.adminPassword(),
                                storedHash(existing.get().id()))) {
            String hash = accounts.hasher().hash(config.adminPassword());
            db.write(tx -> tx.update(
                    "UPDATE accounts SET password_hash = ? WHERE id = ?",
                    hash,
                    existing.get().id()));
            log.info("admin password reset to the one given by --admin-password / NEXAPI_ADMIN_PASSWORD");
        }
    }

    private String storedHash(UUID accountId) {
        return db.read(
                tx -> tx.queryOne("SELECT password_hash FROM accounts WHERE id = ?", rs -> rs.getString(1), accountId)
                        .orElse(null));
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private TlsMaterial tlsMaterial() throws IOException {
        if (config.tlsCert() != null) {
            if (config.tlsKey() == null) {
                throw new IllegalArgumentException("--tls-cert needs --tls-key");
            }
            return new TlsMaterial(Pem.readPrivateKey(config.tlsKey()), Pem.readCertificates(config.tlsCert()), null);
        }
        if (!config.tlsSelfSigned()) {
            return null;
        }
        TlsMaterial m = DevelopmentTls.ensure(config.dataDir().resolve("tls"), tlsNames(), clock);
        caFile = m.caFile();
        return m;
    }

    /** Why binding {@code host:port} fails (e.g. "Address already in use"), or empty when it can be bound. */
    private static Optional<String> bindProblem(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /** Names and addresses the self-signed certificate covers: loopback, this host, every local address, the URL host. */
    private Set<String> tlsNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            log.debug("no local host name: {}", e.getMessage());
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet6Address && a.isLinkLocalAddress()) {
                        continue;
                    }
                    names.add(a.getHostAddress().replaceAll("%.*$", ""));
                }
            }
        } catch (SocketException e) {
            log.debug("cannot list interfaces: {}", e.getMessage());
        }
        if (!config.listenHost().equals("0.0.0.0") && !config.listenHost().equals("::")) {
            names.add(config.listenHost());
        }
        if (config.publicUrl() != null) {
            names.add(URI.create(config.publicUrl()).getHost());
        }
        for (EmbeddedService s : embedded) {
            names.addAll(s.tlsNames());
        }
        return names;
    }

    private String derivedUrl(boolean tls, int port) {
        String h = config.listenHost();
        if (h.equals("0.0.0.0") || h.equals("::") || h.isBlank()) {
            h = "localhost";
        }
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        return (tls ? "https://" : "http://") + h + ":" + port;
    }

    /** The URL clients use (also the token issuer). */
    public String url() {
        return publicUrl;
    }

    public int port() {
        return web.port();
    }

    public Database database() {
        return db;
    }

    public FeedRegistry feeds() {
        return feeds;
    }

    public List<Route> routes() {
        return router.routes();
    }

    /** The CA clients should trust ({@code --tls self-signed}), else null. */
    public Path caFile() {
        return caFile;
    }

    public Path adminPasswordFile() {
        return adminPasswordFile;
    }

    /** Prints where the service is and how to log in (once, at start). */
    public void printBanner(PrintStream out) {
        out.println("Nexodus service " + VERSION + " is serving " + publicUrl);
        out.println("  API:        " + publicUrl + "/api   (OpenAPI: " + publicUrl + "/openapi.json)");
        out.println("  console:    " + publicUrl + "/console/");
        if (config.oidcIssuer() != null) {
            out.println("  identity:   external OIDC issuer " + config.oidcIssuer());
        } else if (adminPasswordGenerated) {
            out.println("  admin:      user '" + ADMIN_USERNAME + "', password " + generatedAdminPassword);
            out.println(
                    "              (generated now; also stored in " + adminPasswordFile + ", readable only by you)");
        } else if (config.adminPassword() != null) {
            out.println("  admin:      user '" + ADMIN_USERNAME
                    + "', password as given by --admin-password / NEXAPI_ADMIN_PASSWORD");
        } else if (Files.exists(adminPasswordFile)) {
            out.println("  admin:      user '" + ADMIN_USERNAME + "', password in " + adminPasswordFile);
        } else {
            out.println("  admin:      user '" + ADMIN_USERNAME + "', password as set on first start");
        }
        out.println("  log in:     " + nexctlLogin());
        if (config.oidcIssuer() == null) {
            out.println(
                    "              (OAuth: curl -d grant_type=password -d username=admin --data-urlencode password=... "
                            + publicUrl + "/oauth/token)");
        }
        if (caFile != null) {
            out.println("  TLS CA:     " + caFile + "   (clients: --cacert / trust this file)");
        }
        out.println("  data:       " + config.dataDir().toAbsolutePath() + "   database: "
                + (config.dbUrl() == null ? "embedded H2" : redact(config.dbUrl())));
        for (EmbeddedService s : embedded) {
            out.println("  " + s.describe());
        }
        if (!config.tls() && !isLoopback(config.listenHost())) {
            out.println(
                    "  WARNING:    serving plain HTTP on a non-loopback address; use --tls self-signed or --tls-cert/--tls-key");
        }
        out.flush();
    }

    /** The nexctl command that logs in to this service: the launcher as the user would type it, and only the flags it needs. */
    private String nexctlLogin() {
        String home = System.getProperty("nexodus.home"); // set by bin/nexodus
        String nexctl = "nexctl";
        if (home != null) {
            Path bin = Path.of(home, "bin", "nexctl").toAbsolutePath().normalize();
            Path cwd = Path.of("").toAbsolutePath();
            nexctl = bin.startsWith(cwd) ? cwd.relativize(bin).toString() : bin.toString();
        }
        StringBuilder cmd = new StringBuilder(nexctl);
        // nexctl's default service URL is http://localhost:8080 (this service's default)
        if (!publicUrl.equals("http://localhost:8080") && !publicUrl.equals("http://127.0.0.1:8080")) {
            cmd.append(" --service-url ").append(publicUrl);
        }
        if (caFile != null) {
            cmd.append(" --ca-cert ").append(caFile.toAbsolutePath());
        }
        return cmd.append(" login --username ").append(ADMIN_USERNAME).toString();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&;]*", "password=***");
    }

    /**
     * Stop behind a load balancer that checks {@code /private/ready}: readiness answers 503 at once while everything
     * else keeps serving for {@code drainDelay}, so the balancer takes this replica out of rotation before its port
     * closes (requests sent in between would otherwise meet a refused connection); then {@link #close()}. Zero is
     * {@link #close()} alone.
     */
    public void stop(Duration drainDelay) {
        if (!drainDelay.isZero() && !closed && web != null) {
            draining = true;
            log.info(
                    "stopping: /private/ready answers 503, serving {} ms more before the listener closes",
                    drainDelay.toMillis());
            try {
                Thread.sleep(drainDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    /** Graceful stop: readiness off, watch streams ended, in-flight requests drained, database closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        if (notices != null) {
            notices.close();
        }
        if (feeds != null) {
            feeds.shutdownStreams(Duration.ofSeconds(5));
        }
        if (web != null) {
            try {
                web.stop();
            } catch (RuntimeException e) {
                log.warn("stopping the HTTP server: {}", e.getMessage());
            }
        }
        List<EmbeddedService> rev = new ArrayList<>(embedded);
        Collections.reverse(rev);
        for (EmbeddedService s : rev) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("stopping {}: {}", s.describe(), e.getMessage());
            }
        }
        if (online != null) {
            online.close();
        }
        if (feeds != null) {
            feeds.close();
        }
        if (pgListener != null) {
            pgListener.close();
        }
        timer.shutdownNow();
        if (db != null) {
            db.close();
        }
        if (dataDirLock != null) {
            try {
                dataDirLock.close();
            } catch (Exception e) {
                log.warn("releasing the data directory lock: {}", e.getMessage());
            }
        }
        log.info("stopped");
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
