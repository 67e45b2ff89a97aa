package io.nexodus.nexd.relayderp;

import io.nexodus.api.model.RelayMetadata;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.derp.server.MeshPeer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nexd relayderp}: a DERP relay (Tailscale DERP v2 over HTTPS) plus a STUN server: a DERP relay in the
 * same binary as the agent. Flags follow upstream's {@code nexd relayderp}. Only parses flags and wires {@link RelayDerpServer};
 * {@code --onboard} hands over to a {@link RelayOnboarding} (the agent's join flow).
 *
 * <p>{@code nexd relayderp} is this command mounted by the agent's {@code NexdCommand} with the agent's join flow as
 * its {@link RelayOnboarding}; it inherits the agent's flags (credentials, {@code --state-dir}). {@link #main} runs it
 * on its own (then {@code --onboard} reports "not available").
 */
@Command(
        name = "relayderp",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        versionProvider = RelayDerpCommand.Version.class,
        description = {
            "Runs a DERP relay: Nexodus agents whose peers they cannot reach directly (symmetric NAT, UDP blocked)",
            "send their WireGuard packets to it over HTTPS, addressed by the peer's public key; it also answers STUN",
            "(UDP " + RelayDerpCommand.DEFAULT_STUN_PORT + ") so agents learn their public address. Packets stay"
                    + " end-to-end encrypted by WireGuard.",
            "Use it as a public relay (an administrator adds it: nexctl relay create) or onboard it to one VPC",
            "(--onboard). Every flag can also be set with the NEXD_DERP_* variable named in its description.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  nexd relayderp --hostname relay.example.com --certmode manual --certdir /etc/nexodus/derp",
            "      # your certificate: /etc/nexodus/derp/relay.example.com.crt and .key",
            "  nexd relayderp --hostname 203.0.113.10 --certmode self-signed",
            "      # generated CA in <state-dir>/derp-certs/ca.crt: give it to agents (nexctl relay create --relay-ca)",
            "  nexd relayderp --dev --hostname 127.0.0.1            # plain HTTP on :3340, development only"
        })
public final class RelayDerpCommand implements Callable<Integer> {
    static final int DEFAULT_STUN_PORT = 3478;
    static final String DEFAULT_ADDR = ":443";
    static final String DEV_ADDR = ":3340";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--hostname",
            paramLabel = "NAME",
            defaultValue = "${env:NEXD_DERP_HOSTNAME}",
            description = "The relay's name: what clients dial, send as TLS SNI and find in the certificate "
                    + "(a DNS name or an IP address). Required. NEXD_DERP_HOSTNAME")
    String hostname;

    @Option(
            names = "--addr",
            paramLabel = "[HOST]:PORT",
            defaultValue = "${env:NEXD_DERP_LISTEN_ADDR}",
            description = "Where the HTTPS (DERP) listener binds. Default " + DEFAULT_ADDR + " (" + DEV_ADDR
                    + " with --dev). " + "NEXD_DERP_LISTEN_ADDR")
    String addr;

    @Option(
            names = "--certmode",
            paramLabel = "MODE",
            defaultValue = "${env:NEXD_DERP_CERT_MODE:-self-signed}",
            description =
                    "manual: your certificate, <certdir>/<hostname>.crt and .key (PEM). self-signed: a CA is made "
                            + "once in the cert dir and a certificate for the hostname issued from it; agents trust its ca.crt. "
                            + "(letsencrypt is not available: it needs the internet.) Default ${DEFAULT-VALUE}. NEXD_DERP_CERT_MODE")
    String certMode;

    @Option(
            names = "--certdir",
            paramLabel = "DIR",
            defaultValue = "${env:NEXD_DERP_CERT_DIR}",
            description = "Certificate directory. Default <state-dir>/derp-certs. NEXD_DERP_CERT_DIR")
    Path certDir;

    @Option(
            names = "--stun",
            negatable = true,
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "${env:NEXD_DERP_RUN_STUN:-true}",
            description =
                    "Run a STUN server (--no-stun or --stun=false: do not). Default ${DEFAULT-VALUE}. NEXD_DERP_RUN_STUN")
    boolean stun;

    @Option(
            names = "--stun-port",
            paramLabel = "PORT",
            defaultValue = "${env:NEXD_DERP_STUN_PORT:-3478}",
            description =
                    "UDP port of the STUN server, on the --addr host. Default ${DEFAULT-VALUE}. NEXD_DERP_STUN_PORT")
    int stunPort;

    @Option(
            names = "--accept-connection-limit",
            paramLabel = "PER_SECOND",
            defaultValue = "${env:NEXD_DERP_ACCEPT_CONNECTION_LIMIT:-Infinity}",
            description = "New connections accepted per second; more are closed at once. Default: no limit.")
    double acceptConnectionLimit;

    @Option(
            names = "--accept-connection-burst",
            paramLabel = "N",
            defaultValue = "${env:NEXD_DERP_ACCEPT_CONNECTION_BURST:-2147483647}",
            description = "Burst allowed above the accept limit. Default: no limit.")
    int acceptConnectionBurst;

    @Option(
            names = "--mesh-key",
            paramLabel = "HEX",
            defaultValue = "${env:NEXD_DERP_MESH_KEY}",
            description = "64 hex digits shared by relays that mesh (prefer NEXD_DERP_MESH_KEY or --mesh-psk-file: "
                    + "a command line is visible to other users).")
    String meshKey;

    @Option(
            names = "--mesh-psk-file",
            paramLabel = "FILE",
            defaultValue = "${env:NEXD_DERP_MESH_PSK_FILE}",
            description = "File holding the mesh key (64 hex digits), as upstream.")
    Path meshPskFile;

    @Option(
            names = "--mesh-with",
            split = ",",
            paramLabel = "RELAY",
            defaultValue = "${env:NEXD_DERP_MESH_WITH}",
            description = "The other relays of the mesh: https://host:port/derp or host[:port] (comma-separated); "
                    + "clients of meshed relays reach each other. Needs a mesh key.")
    List<String> meshWith = new ArrayList<>();

    @Option(
            names = {"--key-file", "-c"},
            paramLabel = "FILE",
            defaultValue = "${env:NEXD_DERP_KEY_FILE}",
            description =
                    "The relay's DERP key ({\"PrivateKey\":\"privkey:...\"}, created with mode 0600 on first run): "
                            + "its identity across restarts. Default <state-dir>/derper.key.")
    Path keyFile;

    @Option(
            names = "--dev",
            defaultValue = "${env:NEXD_DERP_DEV_MODE:-false}",
            description = "Plain HTTP without TLS on " + DEV_ADDR + " (development only: DERP's handshake can then be "
                    + "replayed). NEXD_DERP_DEV_MODE")
    boolean dev;

    @Option(
            names = "--onboard",
            defaultValue = "${env:NEXD_DERP_ONBOARD:-false}",
            description = "Also join the VPC as its relay device and publish the relay (device metadata 'relay' = "
                    + "{type: derp, hostname, certmodemanual}), like `nexd relay` does for a WireGuard relay. A VPC"
                    + " may have several: agents send through the healthy one with the lowest measured latency."
                    + " NEXD_DERP_ONBOARD")
    boolean onboard;

    private final RelayOnboarding onboarding;
    private final Clock clock;

    /** Without the agent's join flow: {@code --onboard} fails with "not available in this build". */
    public RelayDerpCommand() {
        this(RelayOnboarding.UNAVAILABLE, Clock.systemUTC());
    }

    public RelayDerpCommand(RelayOnboarding onboarding) {
        this(onboarding, Clock.systemUTC());
    }

    RelayDerpCommand(RelayOnboarding onboarding, Clock clock) {
        this.onboarding = onboarding;
        this.clock = clock;
    }

    /** Runs {@code nexd relayderp} on its own (until the agent's {@code nexd} command mounts it). */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Parses {@code args}, runs, returns the exit code (0 ok, 1 failed, 2 bad usage). */
    public static int execute(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/nexodus/nexd/relayderp/logback-relayderp.xml");
        }
        CommandLine cl = commandLine(new RelayDerpCommand());
        cl.setCommandName("nexd relayderp");
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("nexd relayderp: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try 'nexd relayderp --help' for more information.");
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }

    /**
     * The command line of {@code cmd} run on its own, with its own {@code --state-dir}. Mounted under {@code nexd},
     * the agent's {@code --state-dir} (an inherited option) is the one, so the relay's key and the agent's state share
     * a directory; that is why the option is not an annotated field here (picocli refuses the same name twice).
     */
    public static CommandLine commandLine(RelayDerpCommand cmd) {
        CommandLine cl = new CommandLine(cmd);
        cl.getCommandSpec()
                .addOption(CommandLine.Model.OptionSpec.builder("--state-dir")
                        .paramLabel("DIR")
                        .type(Path.class)
                        .defaultValue("${env:NEXD_STATE_DIR}")
                        .description(
                                "Where the key file and default cert dir live. Default /var/lib/nexd as root, else ~/.nexodus. "
                                        + "NEXD_STATE_DIR")
                        .build());
        return cl;
    }

    /** {@code --state-dir}: our own (standalone) or the agent's (mounted under {@code nexd}); null when not given. */
    private Path stateDir() {
        CommandLine.Model.OptionSpec o = spec == null ? null : spec.findOption("--state-dir");
        return o == null ? null : o.getValue();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RelayDerpConfig config = toConfig(System.getProperty("user.home"), isRoot());
        RelayDerpServer server;
        try {
            server = RelayDerpServer.start(config, clock);
        } catch (IOException | IllegalArgumentException e) {
            err.println("nexd relayderp: cannot start: " + e.getMessage());
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
        toClose.add(server);
        Thread hook = new Thread(
                () -> {
                    for (AutoCloseable c : toClose.reversed()) {
                        try {
                            c.close();
                        } catch (Exception e) {
                            // shutting down anyway
                        }
                    }
                    stopped.countDown();
                },
                "relayderp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        printBanner(out, server);
        if (config.onboard()) {
            try {
                toClose.add(onboarding.onboard(RelayMetadata.derp(config.hostname(), config.certModeManual()), server));
                out.println("  onboarded: this host is the VPC's DERP relay (device metadata 'relay' written)");
                out.flush();
            } catch (Exception e) {
                err.println("nexd relayderp: --onboard failed: " + e.getMessage());
                err.flush();
                Runtime.getRuntime().removeShutdownHook(hook);
                server.close();
                return 1;
            }
        }
        stopped.await();
        return 0;
    }

    /** Checks the flags and resolves defaults; a {@link CommandLine.ParameterException} (exit 2) explains bad input. */
    RelayDerpConfig toConfig(String home, boolean root) {
        Path stateDir = stateDir();
        Path state = stateDir != null ? stateDir : root ? Path.of("/var/lib/nexd") : Path.of(home, ".nexodus");
        TlsMode mode;
        if (dev) {
            mode = TlsMode.NONE;
            if (onboard) {
                throw usage("--onboard needs TLS (agents connect to an onboarded relay with https): drop --dev");
            }
        } else {
            String m = certMode == null ? "self-signed" : certMode.strip().toLowerCase(Locale.ROOT);
            mode = switch (m) {
                case "manual" -> TlsMode.MANUAL;
                case "self-signed", "selfsigned" -> TlsMode.SELF_SIGNED;
                case "letsencrypt" ->
                    throw usage("--certmode letsencrypt is not available: it needs Let's Encrypt's "
                            + "ACME service on the internet and port 80 reachable from it. Use --certmode manual with your "
                            + "certificate in --certdir (<hostname>.crt and <hostname>.key), or --certmode self-signed and "
                            + "give agents the generated ca.crt");
                case "none", "dev" -> throw usage("--certmode " + m + ": use --dev for plain HTTP (development only)");
                default -> throw usage("--certmode must be manual or self-signed, not '" + certMode + "'");
            };
        }
        String addrSpec = addr != null && !addr.isBlank() ? addr.strip() : dev ? DEV_ADDR : DEFAULT_ADDR;
        InetSocketAddress at = parseAddr(addrSpec);
        String name = hostname == null ? "" : hostname.strip();
        if (name.isEmpty()) {
            if (!dev) {
                throw usage("--hostname is required: the name agents dial and find in the relay's certificate "
                        + "(e.g. relay.example.com, or the public IP address)");
            }
            name = at.getAddress().isAnyLocalAddress()
                    ? "localhost"
                    : at.getAddress().getHostAddress();
        }
        if (!validHostname(name)) {
            throw usage("--hostname '" + name + "' is not a DNS name or IP address");
        }
        if (stunPort < 1 || stunPort > 65535) {
            throw usage("--stun-port must be 1-65535, not " + stunPort);
        }
        if (!(acceptConnectionLimit > 0)) {
            throw usage("--accept-connection-limit must be positive");
        }
        if (acceptConnectionBurst < 1) {
            throw usage("--accept-connection-burst must be at least 1");
        }
        Optional<MeshKey> mesh = meshKey(readMeshKey());
        List<String> peers = meshWith == null
                ? List.of()
                : meshWith.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (!peers.isEmpty() && mesh.isEmpty()) {
            throw usage("--mesh-with needs a mesh key (--mesh-key, NEXD_DERP_MESH_KEY or --mesh-psk-file)");
        }
        for (String p : peers) {
            try {
                MeshPeer.parse(p, mode != TlsMode.NONE);
            } catch (IllegalArgumentException e) {
                throw usage("--mesh-with " + p + ": " + e.getMessage());
            }
        }
        return new RelayDerpConfig(
                at,
                name,
                mode,
                certDir != null ? certDir : state.resolve("derp-certs"),
                keyFile != null ? keyFile : state.resolve("derper.key"),
                stun,
                stunPort,
                acceptConnectionLimit,
                acceptConnectionBurst,
                mesh,
                peers,
                onboard);
    }

    private String readMeshKey() {
        boolean inline = meshKey != null && !meshKey.isBlank();
        if (inline && meshPskFile != null) {
            throw usage("--mesh-key and --mesh-psk-file exclude each other");
        }
        if (meshPskFile != null) {
            try {
                return Files.readString(meshPskFile, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw usage("--mesh-psk-file: cannot read " + meshPskFile + ": " + e.getMessage());
            }
        }
        return inline ? meshKey.strip() : null;
    }

    private Optional<MeshKey> meshKey(String hex) {
        if (hex == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(MeshKey.parse(hex));
        } catch (IllegalArgumentException e) {
            throw usage("mesh key: " + e.getMessage());
        }
    }

    private InetSocketAddress parseAddr(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            throw usage("--addr needs [HOST]:PORT (e.g. :443 or 203.0.113.10:443), not '" + spec + "'");
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw usage("--addr: port is not a number in '" + spec + "'");
        }
        if (port < 0 || port > 65535) {
            throw usage("--addr: port out of range in '" + spec + "'");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw usage("--addr: '" + host + "' is not an IP address (bind addresses are literal)");
        }
    }

    private static boolean validHostname(String h) {
        if (h.length() > 253 || h.startsWith(".") || h.contains("..") || h.startsWith("-")) {
            return false;
        }
        return h.chars().allMatch(c -> (Character.isLetterOrDigit(c) && c < 128) || c == '.' || c == '-' || c == ':');
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void printBanner(PrintWriter out, RelayDerpServer s) {
        RelayDerpConfig c = s.config();
        out.println("nexd relayderp: DERP relay " + s.url() + " listening on tcp "
                + s.relay().boundAddress());
        out.println("  key:       " + s.relay().publicKey() + "   (" + c.keyFile() + ")");
        switch (c.certMode()) {
            case NONE -> out.println("  TLS:       none (--dev: development only)");
            case MANUAL -> out.println("  TLS:       " + c.certDir().resolve(c.hostname() + ".crt"));
            default ->
                out.println("  TLS:       self-signed; clients trust "
                        + s.relay().caCertificateFile().map(Path::toString).orElse("?"));
        }
        s.stun()
                .ifPresentOrElse(
                        st -> out.println(
                                "  STUN:      udp " + st.localAddresses().getFirst()),
                        () -> out.println("  STUN:      off"));
        if (!c.meshWith().isEmpty()) {
            out.println("  mesh:      " + String.join(", ", c.meshWith()));
        }
        if (!c.onboard()) {
            StringBuilder add = new StringBuilder("nexctl relay create --region-code <code> --hostname " + c.hostname()
                    + " --derp-port " + s.relay().port() + " --stun-port "
                    + (c.stun() ? Integer.toString(s.stun().orElseThrow().port()) : "-1"));
            s.relay()
                    .caCertificateFile()
                    .ifPresent(ca -> add.append(" --relay-ca ").append(ca));
            out.println("  public:    " + add + "   (administrator)");
        }
        out.flush();
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nexd relayderp " + NexodusVersion.current()};
        }
    }
}
