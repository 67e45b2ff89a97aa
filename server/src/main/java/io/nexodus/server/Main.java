package io.nexodus.server;

import io.nexodus.core.time.DurationSyntax;
import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.server.MeshPeer;
import io.nexodus.server.auth.PasswordHasher;
import io.nexodus.server.relay.DerpRelayOptions;
import io.nexodus.server.relay.EmbeddedDerpRelay;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexodus serve}: parses flags (each also a NEXAPI_* variable), wires {@link NexodusServer}, waits for a signal. */
@Command(
        name = "nexodus",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "The Nexodus service.",
        subcommands = {Main.Serve.class, CommandLine.HelpCommand.class},
        footer = {
            "",
            "bin/nexodus also runs:",
            "  playground  A NAT lab on this machine (network namespaces, needs root): the service, a relay and",
            "              agents behind NATs, with a live table of who reaches whom (docs/nat-lab.md)."
        })
public final class Main implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    /** {@code --version}: the build's version, as nexd and nexctl print it. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nexodus " + NexodusServer.VERSION};
        }
    }

    public static void main(String[] args) {
        Logger.getLogger("").setLevel(Level.WARNING); // Helidon's feature banner
        System.exit(commandLine().execute(args));
    }

    /** The command line: a mistyped option prints the error, a suggestion and where the help is, not all of it. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("nexodus: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for every option.");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    enum LogFormat {
        text,
        json
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            header = "Run the Nexodus service (API, watch streams, identity, IPAM, STUN).",
            description = {
                "Runs the Nexodus service: REST API under /api, watch streams, a built-in OIDC issuer with local "
                        + "accounts (an 'admin' account is created on first start), IP address management, STUN, and an "
                        + "embedded database, and a public DERP relay. It prints its URL and where the admin password is.",
                "",
                "Every option can also be set with the environment variable shown with it; a flag wins.",
                ""
            },
            footer = {
                "",
                "Also read: NEXAPI_LOG_LEVEL (DEBUG, INFO, WARN; default INFO),",
                "  NEXAPI_FFLAG_MULTI_ORGANIZATION, NEXAPI_FFLAG_SECURITY_GROUPS and",
                "  NEXAPI_FFLAG_DEVICES (feature flags: true or false; default true).",
                "",
                "Examples:",
                "  nexodus serve",
                "      http://127.0.0.1:8080, embedded database under ~/.local/share/nexodus",
                "  nexodus serve --tls self-signed",
                "      https on 0.0.0.0:8443; clients trust <data-dir>/tls/ca.pem",
                "  nexodus serve --derp-listen none",
                "      no public DERP relay",
                "  nexodus serve --db-url jdbc:postgresql://db/nexodus --db-user nexodus",
                "      PostgreSQL (password in NEXAPI_DB_PASSWORD); instances may share it",
                "",
                "Then: nexctl login --username admin"
            })
    static final class Serve implements Callable<Integer> {
        /** Below the stop timeouts of systemd (90 s) and Kubernetes (30 s unless raised) with the drain after it. */
        static final Duration MAX_SHUTDOWN_DELAY = Duration.ofSeconds(60);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--listen",
                paramLabel = "HOST:PORT",
                defaultValue = "${env:NEXAPI_LISTEN}",
                description =
                        "Address to serve on. Default 127.0.0.1:8080, or 0.0.0.0:8443 with TLS. Env NEXAPI_LISTEN.")
        String listen;

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                defaultValue = "${env:NEXAPI_DATA_DIR}",
                description =
                        "Default ~/.local/share/nexodus ($XDG_DATA_HOME/nexodus if set): the embedded database, TLS files and "
                                + "the generated admin password (created 0700). Env NEXAPI_DATA_DIR.")
        Path dataDir;

        @Option(
                names = "--db-url",
                paramLabel = "JDBC_URL",
                defaultValue = "${env:NEXAPI_DB_URL}",
                description =
                        "PostgreSQL (jdbc:postgresql://host:port/db) instead of the embedded H2 file. Env NEXAPI_DB_URL.")
        String dbUrl;

        @Option(
                names = "--db-user",
                paramLabel = "USER",
                defaultValue = "${env:NEXAPI_DB_USER}",
                description = "Database user (PostgreSQL). Env NEXAPI_DB_USER.")
        String dbUser;

        @Option(
                names = "--db-password",
                paramLabel = "PASSWORD",
                defaultValue = "${env:NEXAPI_DB_PASSWORD}",
                description = "Database password; better in env NEXAPI_DB_PASSWORD (a flag is visible in ps).")
        String dbPassword;

        @Option(
                names = "--stun-ports",
                split = ",",
                paramLabel = "PORT",
                defaultValue = "${env:NEXAPI_STUN_PORTS:-3478,3479}",
                description =
                        "UDP ports of the embedded STUN server (two, so agents can detect symmetric NAT). Default 3478,3479. "
                                + "Env NEXAPI_STUN_PORTS.")
        List<Integer> stunPorts = new ArrayList<>();

        @Option(
                names = "--derp-listen",
                paramLabel = "HOST:PORT|none",
                defaultValue = "${env:NEXAPI_DERP_LISTEN}",
                description = {
                    "The public DERP relay (agents relay WireGuard through it over HTTPS when they cannot reach a peer directly).",
                    "Default: the --listen host on port 443 if it can be bound (the port firewalls let out), else 8444;",
                    "'none' turns the relay off. Agents learn the address from GET /api/relays. Env NEXAPI_DERP_LISTEN."
                })
        String derpListen;

        @Option(
                names = "--derp-hostname",
                paramLabel = "NAME",
                defaultValue = "${env:NEXAPI_DERP_HOSTNAME}",
                description =
                        "The relay's TLS name (what agents dial and verify). Default: the host of the service URL. Env NEXAPI_DERP_HOSTNAME.")
        String derpHostname;

        @Option(
                names = "--derp-plain-http",
                defaultValue = "${env:NEXAPI_DERP_PLAIN_HTTP:-false}",
                description =
                        "Serve the relay over plain HTTP (development only). Default: TLS with the service's certificate, "
                                + "or the relay's own self-signed CA when the service has no TLS. Env NEXAPI_DERP_PLAIN_HTTP.")
        boolean derpPlainHttp;

        @Option(
                names = "--derp-mesh-key",
                paramLabel = "HEX",
                defaultValue = "${env:NEXAPI_DERP_MESH_KEY}",
                description =
                        "64 hex digits shared by relays that mesh. With it, the replicas of the service on one database find each other's relays there (each records its node, refreshed every 2 s, stale after 10 s), mesh them and publish them as one region; without it the relay stands alone. Better in env NEXAPI_DERP_MESH_KEY (a flag is visible in ps).")
        String derpMeshKey;

        @Option(
                names = "--derp-advertise",
                paramLabel = "IP[:PORT]",
                defaultValue = "${env:NEXAPI_DERP_ADVERTISE}",
                description =
                        "Where agents and the other replicas dial this replica's relay, when that is not --derp-hostname (resolved) on the bound port: e.g. the pod's own IP when --derp-hostname is the load balancer's name. TLS still checks --derp-hostname. Env NEXAPI_DERP_ADVERTISE.")
        String derpAdvertise;

        @Option(
                names = "--derp-mesh-with",
                split = ",",
                paramLabel = "URL",
                defaultValue = "${env:NEXAPI_DERP_MESH_WITH}",
                description =
                        "The other relays of the mesh: https://host:port/derp or host[:port] (comma-separated). Env NEXAPI_DERP_MESH_WITH.")
        List<String> derpMeshWith = new ArrayList<>();

        @Option(
                names = "--admin-password",
                paramLabel = "PASSWORD",
                defaultValue = "${env:NEXAPI_ADMIN_PASSWORD}",
                description =
                        "Password of the built-in 'admin' account. If unset on first start one is generated, printed once and stored "
                                + "in <data-dir>/admin-password (0600). If set later, the admin password is reset to it. "
                                + "Better in env NEXAPI_ADMIN_PASSWORD (a flag is visible in ps).")
        String adminPassword;

        @Option(
                names = "--tls-cert",
                paramLabel = "PEM",
                defaultValue = "${env:NEXAPI_TLS_CERT}",
                description = "Serve HTTPS with this certificate chain. Env NEXAPI_TLS_CERT.")
        Path tlsCert;

        @Option(
                names = "--tls-key",
                paramLabel = "PEM",
                defaultValue = "${env:NEXAPI_TLS_KEY}",
                description = "The private key of --tls-cert. Env NEXAPI_TLS_KEY.")
        Path tlsKey;

        @Option(
                names = "--tls",
                paramLabel = "MODE",
                defaultValue = "${env:NEXAPI_TLS}",
                description =
                        "'self-signed': generate a development CA and server certificate; the CA is written to <data-dir>/tls/ca.pem "
                                + "for clients to trust (nexctl --ca-cert, curl --cacert). Env NEXAPI_TLS.")
        String tlsMode;

        @Option(
                names = "--url",
                paramLabel = "URL",
                defaultValue = "${env:NEXAPI_URL}",
                description =
                        "The URL clients use to reach this service (token issuer); default derived from --listen. Env NEXAPI_URL.")
        String url;

        @Option(
                names = "--oidc-issuer",
                paramLabel = "URL",
                defaultValue = "${env:NEXAPI_OIDC_URL}",
                description =
                        "Use this external OIDC issuer (Keycloak, Dex, ...) instead of the built-in one. Env NEXAPI_OIDC_URL.")
        String oidcIssuer;

        @Option(
                names = "--oidc-client-id",
                paramLabel = "ID",
                defaultValue = "${env:NEXAPI_OIDC_CLIENT_ID_CLI:-nexodus-cli}",
                description =
                        "Client id agents/CLI use with the external issuer. Default nexodus-cli. Env NEXAPI_OIDC_CLIENT_ID_CLI.")
        String oidcClientId;

        @Option(
                names = "--oidc-audience",
                paramLabel = "AUD",
                defaultValue = "${env:NEXAPI_OIDC_AUDIENCE}",
                description =
                        "Required 'aud' of external access tokens. If unset, tokens must name the --oidc-client-id in 'aud'"
                                + " or 'azp'. Env NEXAPI_OIDC_AUDIENCE.")
        String oidcAudience;

        @Option(
                names = "--oidc-console-client-id",
                paramLabel = "ID",
                defaultValue = "${env:NEXAPI_OIDC_CLIENT_ID_WEB:-nexodus-web}",
                description =
                        "Public client (authorization code + PKCE) the web console signs in with at the external issuer;"
                                + " its access tokens are accepted like those of --oidc-client-id. Default nexodus-web."
                                + " Env NEXAPI_OIDC_CLIENT_ID_WEB.")
        String oidcConsoleClientId;

        @Option(
                names = "--shutdown-delay",
                paramLabel = "DURATION",
                defaultValue = "${env:NEXAPI_SHUTDOWN_DELAY:-0s}",
                description =
                        "On SIGTERM, answer /private/ready with 503 and keep serving this long before the port closes, so a"
                                + " load balancer or Kubernetes Service that polls readiness stops sending requests first"
                                + " (set it above the balancer's check interval, e.g. 5s). Default 0s. Env NEXAPI_SHUTDOWN_DELAY.")
        String shutdownDelay;

        @Option(
                names = "--log-format",
                paramLabel = "FORMAT",
                defaultValue = "${env:NEXAPI_LOG_FORMAT:-text}",
                description =
                        "Logs on stderr as text or json (one object per line). Default text. Env NEXAPI_LOG_FORMAT.")
        LogFormat logFormat;

        @Override
        public Integer call() throws Exception {
            // the server's own logging setup (other programs share the class path, so it is not a default logback.xml)
            System.setProperty(
                    "logback.configurationFile",
                    System.getProperty(
                            "logback.configurationFile",
                            logFormat == LogFormat.json
                                    ? "io/nexodus/server/logback-json.xml"
                                    : "io/nexodus/server/logback-text.xml"));
            boolean selfSigned = false;
            if (tlsMode != null && !tlsMode.isBlank()) {
                if (!tlsMode.equals("self-signed")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--tls accepts only 'self-signed'");
                }
                if (tlsCert != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--tls self-signed and --tls-cert exclude each other");
                }
                selfSigned = true;
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
            }
            boolean tls = selfSigned || tlsCert != null;
            String hostPort = listen != null && !listen.isBlank() ? listen : tls ? "0.0.0.0:8443" : "127.0.0.1:8080";
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--listen needs HOST:PORT, got " + hostPort);
            }
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            if (host.isEmpty()) {
                host = "0.0.0.0";
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--listen port is not a number: " + hostPort);
            }
            for (int p : stunPorts) {
                if (p < 1 || p > 65535) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--stun-ports: invalid port " + p);
                }
            }
            Duration drainDelay;
            try {
                drainDelay = DurationSyntax.parse(shutdownDelay);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--shutdown-delay: " + e.getMessage());
            }
            if (drainDelay.compareTo(MAX_SHUTDOWN_DELAY) > 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--shutdown-delay: at most " + MAX_SHUTDOWN_DELAY.toSeconds() + "s");
            }
            Path dir = dataDir != null ? dataDir : defaultDataDir(System.getenv());
            ServerConfig cfg = new ServerConfig(
                    host,
                    port,
                    dir,
                    blankToNull(dbUrl),
                    blankToNull(dbUser),
                    blankToNull(dbPassword),
                    List.copyOf(stunPorts),
                    blankToNull(adminPassword),
                    tlsCert,
                    tlsKey,
                    selfSigned,
                    blankToNull(url),
                    blankToNull(oidcIssuer),
                    oidcClientId,
                    blankToNull(oidcAudience),
                    oidcConsoleClientId,
                    PasswordHasher.DEFAULT_ITERATIONS,
                    Duration.ofHours(1),
                    Duration.ofDays(30),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(5),
                    16,
                    FeatureFlags.fromEnv(System.getenv()),
                    false);
            List<EmbeddedService> embedded = new ArrayList<>();
            if (!stunPorts.isEmpty()) {
                embedded.add(new EmbeddedStunServer(host, stunPorts));
            }
            DerpRelayOptions derp = derpOptions(host, stunPorts.isEmpty() ? -1 : stunPorts.getFirst());
            if (derp != null) {
                embedded.add(new EmbeddedDerpRelay(derp));
            }
            NexodusServer server = new NexodusServer(cfg, Clock.systemUTC(), embedded);
            try {
                server.start();
            } catch (Exception e) {
                System.err.println("nexodus: cannot start: " + StartFailure.describe(e));
                server.close();
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                server.stop(drainDelay);
                                stopped.countDown();
                            },
                            "nexodus-shutdown"));
            server.printBanner(System.out);
            stopped.await();
            return 0;
        }

        /**
         * {@code $XDG_DATA_HOME/nexodus} when that is absolute (the XDG rule), else {@code ~/.local/share/nexodus} with
         * {@code ~} as the shell means it ({@code $HOME}; Java's {@code user.home} ignores it), as nexctl finds its config.
         */
        static Path defaultDataDir(Map<String, String> env) {
            String xdg = env.get("XDG_DATA_HOME");
            if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
                return Path.of(xdg, "nexodus");
            }
            String home = env.get("HOME");
            Path base = home != null && !home.isBlank() && Path.of(home).isAbsolute()
                    ? Path.of(home)
                    : Path.of(System.getProperty("user.home"));
            return base.resolve(".local").resolve("share").resolve("nexodus");
        }

        /** The relay's options, or null for {@code --derp-listen none}. */
        private DerpRelayOptions derpOptions(String apiHost, int stunPort) {
            String listenSpec = blankToNull(derpListen);
            if (listenSpec != null && listenSpec.equalsIgnoreCase("none")) {
                return null;
            }
            try {
                Optional<InetSocketAddress> at = listenSpec == null
                        ? Optional.empty()
                        : Optional.of(DerpRelayOptions.parseListen("--derp-listen", listenSpec));
                Optional<MeshKey> mesh;
                try {
                    mesh = blankToNull(derpMeshKey) == null
                            ? Optional.empty()
                            : Optional.of(MeshKey.parse(derpMeshKey.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--derp-mesh-key: " + e.getMessage(), e);
                }
                List<String> peers = derpMeshWith == null
                        ? List.of()
                        : derpMeshWith.stream()
                                .map(String::strip)
                                .filter(x -> !x.isEmpty())
                                .toList();
                for (String peer : peers) {
                    MeshPeer.parse(peer, !derpPlainHttp);
                } // bad input fails here, before anything starts
                Optional<InetSocketAddress> advertise = blankToNull(derpAdvertise) == null
                        ? Optional.empty()
                        : Optional.of(DerpRelayOptions.parseAdvertise("--derp-advertise", derpAdvertise));
                return new DerpRelayOptions(
                        at,
                        apiHost,
                        Optional.ofNullable(blankToNull(derpHostname)),
                        derpPlainHttp,
                        mesh,
                        peers,
                        advertise,
                        stunPort);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }
}
