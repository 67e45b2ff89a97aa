package io.nexodus.e2e.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code nexd} process on a lab host: its own state directory, control socket and tunnel interface name
 * (UAPI sockets are global: {@code /var/run/wireguard/<iface>.sock}), started with {@link LabHost#startJava}.
 */
public final class LabAgent implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TUNNEL = Pattern.compile("tunnel addresses (\\S+)");

    private final LabHost host;
    private final String name;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path stateDir;
    private final Path socket;
    private final String iface;
    private ChildProcess process;

    private final List<String> jvmArgs;
    private final boolean withoutCapabilities;

    /**
     * Runs a command with no capabilities at all (effective, permitted, inheritable, ambient and bounding sets empty),
     * and with securebits that keep uid 0 from getting them back on exec: no CAP_NET_ADMIN (no TUN, no {@code ip}
     * changes, no nftables), no CAP_NET_BIND_SERVICE, no CAP_DAC_OVERRIDE. The uid stays 0 because the test's class
     * path (the Maven repository under /root) is readable by root only.
     */
    static final List<String> NO_CAPABILITIES = List.of(
            "setpriv",
            "--securebits=+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--ambient-caps=-all");

    private LabAgent(
            LabHost host,
            String name,
            List<String> args,
            List<String> jvmArgs,
            Map<String, String> env,
            Path stateDir,
            Path socket,
            String iface,
            boolean withoutCapabilities) {
        this.withoutCapabilities = withoutCapabilities;
        this.host = host;
        this.name = name;
        this.args = List.copyOf(args);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.env = Map.copyOf(env);
        this.stateDir = stateDir;
        this.socket = socket;
        this.iface = iface;
    }

    /** An agent for {@code host} registering with {@code service} by {@code regKey}; configure, then {@link Builder#start()}. */
    public static Builder on(LabHost host, LabService service, String regKey) {
        return new Builder(host, service, regKey);
    }

    public static final class Builder {
        private final LabHost host;
        private final LabService service;
        private final String regKey;
        private String name = "nexd";
        private boolean relay;
        private final List<String> relayDerp = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private Path stateDir;
        private boolean withoutCapabilities;

        private Builder(LabHost host, LabService service, String regKey) {
            this.host = host;
            this.service = service;
            this.regKey = regKey;
        }

        /** Log and directory name on the host (default {@code nexd}). */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** Run {@code nexd relay}. */
        public Builder relay() {
            this.relay = true;
            this.name = "nexd-relay";
            return this;
        }

        /** Run {@code nexd relayderp --onboard} with these relay flags (the agent's flags are added as usual). */
        public Builder onboardedDerpRelay(String... relayArgs) {
            this.relayDerp.add("relayderp");
            this.relayDerp.add("--onboard");
            this.relayDerp.addAll(List.of(relayArgs));
            this.name = "nexd-relayderp";
            return this;
        }

        public Builder args(String... a) {
            extra.addAll(List.of(a));
            return this;
        }

        /** An extra JVM option for the nexd process (e.g. an AppCDS archive). */
        public Builder jvmArg(String a) {
            jvmArgs.add(a);
            return this;
        }

        public Builder env(String k, String v) {
            env.put(k, v);
            return this;
        }

        /** Run nexd without any capability (see {@link #NO_CAPABILITIES}): for {@code nexd proxy}. */
        public Builder withoutCapabilities() {
            this.withoutCapabilities = true;
            return this;
        }

        /** Reuse a state directory (a restart of the same device). */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public LabAgent start() {
            Path dir = host.dir().resolve(name + "-" + Long.toHexString(System.nanoTime()));
            Path state = stateDir != null ? stateDir : dir.resolve("state");
            Path socketDir;
            try {
                // unix socket paths are limited to 107 bytes: the lab's directories are deeper than that
                socketDir = Files.createTempDirectory(Path.of("/tmp"), "nxctl");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String iface = "wg" + HexFormat.of().toHexDigits(RANDOM.nextInt()).substring(0, 6);
            List<String> argv = new ArrayList<>();
            if (relay) {
                argv.add("relay");
            }
            argv.addAll(relayDerp);
            argv.addAll(List.of(
                    "--reg-key",
                    service.url() + "#" + regKey,
                    "--ca-cert",
                    service.caFile().toString(),
                    "--state-dir",
                    state.toString(),
                    "--unix-socket",
                    socketDir.resolve("nexd.sock").toString(),
                    "--tunnel-iface",
                    iface));
            argv.addAll(extra);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LabAgent a = new LabAgent(
                    host, name, argv, jvmArgs, env, state, socketDir.resolve("nexd.sock"), iface, withoutCapabilities);
            a.launch();
            return a;
        }
    }

    private void launch() {
        JavaCommand cmd = JavaCommand.of("io.nexodus.nexd.Main", args.toArray(String[]::new))
                .withJvmArgs(jvmArgs.toArray(String[]::new));
        for (Map.Entry<String, String> e : env.entrySet()) {
            cmd = cmd.withEnv(e.getKey(), e.getValue());
        }
        if (withoutCapabilities) {
            List<String> argv = new ArrayList<>(NO_CAPABILITIES);
            argv.addAll(cmd.argv());
            process = host.spawn(name, cmd.env(), argv);
        } else {
            process = host.startJava(name, cmd);
        }
    }

    /** Runs {@code nexctl nexd --unix-socket <this agent's> <args>} on this agent's host; returns its result. */
    public Cmd.Result nexctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("nexd", "--unix-socket", socket.toString()));
        argv.addAll(List.of(args));
        return host.runJava(
                Duration.ofSeconds(60), JavaCommand.of("io.nexodus.nexctl.Main", argv.toArray(String[]::new)));
    }

    /** Waits until the agent has registered and runs (its tunnel is up). */
    public LabAgent awaitRunning(Duration timeout) {
        process.awaitOutput("running: ", timeout);
        return this;
    }

    /** Stops it (SIGTERM) and starts it again with the same arguments and state. */
    public LabAgent restart() {
        process.close();
        launch();
        return this;
    }

    /** SIGKILL (a crash), then start again with the same state. */
    public LabAgent crashAndRestart() {
        process.kill();
        launch();
        return this;
    }

    /** SIGKILL (a crash) without a restart; {@link #relaunch} starts it again with the same state. */
    public LabAgent crash() {
        process.kill();
        return this;
    }

    /** Starts a {@link #crash crashed} agent again with the same arguments and state. */
    public LabAgent relaunch() {
        launch();
        return this;
    }

    public LabHost host() {
        return host;
    }

    public ChildProcess process() {
        return process;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path controlSocket() {
        return socket;
    }

    public String interfaceName() {
        return iface;
    }

    /** The IPv4 tunnel address it logged at registration. */
    public String tunnelIp() {
        Matcher m = TUNNEL.matcher(process.output());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            throw new IllegalStateException(name + " on " + host.name() + " has not logged its tunnel address yet");
        }
        return last;
    }

    /** The stored WireGuard public key. */
    public String publicKey() {
        return stateField("public-key").asText();
    }

    /** The stored WireGuard listen port. */
    public int listenPort() {
        return stateField("port").asInt();
    }

    private JsonNode stateField(String key) {
        try {
            return Json.mapper()
                    .readTree(stateDir.resolve("state.json").toFile())
                    .path(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code wg show <iface> dump}: what the interface says (also proves the interface answers wg). */
    public String wgDump() {
        Cmd.Result r = host.tryExec(Duration.ofSeconds(10), "wg", "show", iface, "dump");
        if (!r.ok()) {
            throw new IllegalStateException("wg show " + iface + " failed: " + r.stderr());
        }
        return r.stdout();
    }

    /** The agent's own view of its peers, from its control socket (what {@code nexctl nexd peers list} shows). */
    public ListPeersResult peers() {
        return ctl().listPeers();
    }

    /** One peer as this agent reports it, if it knows it. */
    public Optional<PeerStatus> peer(LabAgent other) {
        return Optional.ofNullable(peers().peers().get(other.publicKey()));
    }

    /** A client of the agent's control socket (the api module's nexdctl client). */
    public NexdCtlClient ctl() {
        return new NexdCtlClient(socket);
    }

    /**
     * {@code nexctl nexd peers list --output json}, run as the CLI on this agent's host: the peers as the user sees
     * them (parsed back into the protocol's record).
     */
    public ListPeersResult peersViaNexctl() {
        Cmd.Result r = host.runJava(
                Duration.ofSeconds(60),
                JavaCommand.of(
                        "io.nexodus.nexctl.Main",
                        "nexd",
                        "--unix-socket",
                        socket.toString(),
                        "peers",
                        "list",
                        "--output",
                        "json"));
        if (!r.ok()) {
            throw new IllegalStateException("nexctl nexd peers list failed: " + r.stderr() + r.stdout());
        }
        try {
            return Json.mapper().readValue(r.stdout(), ListPeersResult.class);
        } catch (IOException e) {
            throw new IllegalStateException("nexctl printed no peers JSON: " + r.stdout(), e);
        }
    }

    /** The interface's peers by public key, from {@code wg show dump}. */
    public Map<String, WgPeer> wgPeers() {
        return WgPeer.parseDump(wgDump());
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        } catch (IOException e) {
            // left in /tmp: harmless
        }
        try {
            // an agent a test killed (a crash) could not remove its WireGuard UAPI socket; the directory is the
            // machine's, not the lab's
            Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the UAPI socket of " + this, e);
        }
    }

    @Override
    public String toString() {
        return name + "@" + host.name();
    }
}
