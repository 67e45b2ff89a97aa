package io.nexodus.nexd.cli;

import io.nexodus.api.model.RelayMetadata;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.agent.Agent;
import io.nexodus.nexd.agent.AgentConfig;
import io.nexodus.nexd.agent.AgentStatus;
import io.nexodus.nexd.agent.LocalHostname;
import io.nexodus.nexd.agent.StartupException;
import io.nexodus.nexd.dns.HostResolver;
import io.nexodus.nexd.dns.VpcDns;
import io.nexodus.nexd.endpoint.StunClientProbe;
import io.nexodus.nexd.net.CommandRunner;
import io.nexodus.nexd.relayderp.RelayDerpCommand;
import io.nexodus.nexd.relayderp.RelayDerpServer;
import io.nexodus.nexd.relayderp.VpcMembers;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.stun.StunClientConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * The command line: {@code nexd [flags]} runs the agent, {@code nexd relay [flags]} the VPC's WireGuard relay,
 * {@code nexd version} prints the version. Only parses flags and wires objects.
 */
@Command(
        name = "nexd",
        mixinStandardHelpOptions = true,
        versionProvider = NexdCommand.VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "The Nexodus agent: joins this host to a VPC of the Nexodus service and keeps WireGuard tunnels to every",
            "peer - direct where possible (also hole-punched through NATs), through the VPC's relay where not.",
            "Needs root (it creates the tunnel interface), except `nexd proxy`. Every flag can also be set with the",
            "NEXD_* variable named.",
            ""
        },
        subcommands = {
            NexdCommand.Relay.class,
            NexdCommand.Router.class,
            NexdCommand.Proxy.class,
            NexdCommand.Version.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  nexd --reg-key https://nexodus.example.com#RK:...          # join with a registration key",
            "  nexd --service-url https://nexodus.example.com --username alice   # log in (password from NEXD_PASSWORD)",
            "  nexd relay --reg-key https://nexodus.example.com#RK:...    # be the VPC's WireGuard relay (UDP 51820)",
            "  nexd router --advertise-cidr 192.168.1.0/24 --network-router --reg-key https://nexodus.example.com#RK:...",
            "                                                             # make this LAN reachable from the VPC",
            "  nexd proxy --ingress tcp:80:127.0.0.1:8080 --reg-key https://nexodus.example.com#RK:...",
            "                                                             # no root: publish a local port on the VPC",
            "  nexd relayderp --onboard --hostname relay.internal --certmode manual --certdir /etc/nexodus/derp \\",
            "      --reg-key https://nexodus.example.com#RK:...           # be the VPC's DERP relay (HTTPS 443)",
            "",
            "Environment: NEXD_LOGLEVEL=debug for debug logs; NEXD_USE_WIREGUARD_GO=1 to run wireguard-go instead of the",
            "built-in userspace WireGuard. Control a running agent with `nexctl nexd status|peers list|peers ping`.",
            "",
            "Exit nodes: `nexd router --exit-node` offers one; `nexctl nexd exit-node enable [DEVICE]` (or",
            "--exit-node-client) sends this host's IPv4 internet traffic through it (docs/nexd.md, Exit nodes).",
            "Names in the VPC: `nexd --dns` answers <hostname>.nexodus on the tunnel address (docs/nexd.md).",
            "Security groups are enforced by the built-in WireGuard, not with NEXD_USE_WIREGUARD_GO=1",
            "(docs/security-groups.md)."
        })
public final class NexdCommand implements Callable<Integer> {

    @Mixin
    NexdOptions options = new NexdOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static int execute(String[] args) {
        configureLogging(System.getenv("NEXD_LOGLEVEL"));
        CommandLine cl = commandLine(new NexdCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("nexd: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    /**
     * {@code nexd} with its subcommands; {@code relayderp} gets the agent's join flow for {@code --onboard}, and
     * inherits the agent's flags ({@code --service-url}, {@code --reg-key}, {@code --state-dir}, ...).
     */
    static CommandLine commandLine(NexdCommand nexd) {
        CommandLine cl = new CommandLine(nexd);
        cl.addSubcommand("relayderp", new RelayDerpCommand(nexd::onboardDerpRelay));
        return cl;
    }

    /**
     * {@code nexd relayderp --onboard}: run the agent as this VPC's relay device (registered with {@code relay: true},
     * as upstream) that publishes {@code metadata}; returns once it runs, closing it stops it.
     */
    AutoCloseable onboardDerpRelay(RelayMetadata metadata, RelayDerpServer relay) throws Exception {
        AgentConfig config;
        try {
            config = options.toConfig(
                    AgentConfig.Mode.DERP_RELAY,
                    System.getenv(),
                    isRoot(),
                    System.getProperty("user.home"),
                    hostname());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("joining the VPC: " + e.getMessage(), e);
        }
        Agent agent = new Agent(
                config,
                StunClientProbe.factory(StunClientConfig.defaults().withSoftware("nexd")),
                Clock.systemUTC(),
                CommandRunner.SYSTEM,
                NexodusVersion.current(),
                metadata);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread.ofPlatform().name("nexd-onboarded-agent").start(() -> {
            try {
                agent.run();
                ended.complete(null);
            } catch (Exception e) {
                ended.completeExceptionally(e);
            }
        });
        while (!agent.status().state().equals(AgentStatus.RUNNING)) {
            if (ended.isDone()) {
                try {
                    ended.join();
                } catch (CompletionException e) {
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
                throw new IllegalStateException("the agent stopped before it joined the VPC");
            }
            Thread.sleep(100);
        }
        VpcMembers members = relay.members().orElse(null);
        if (members == null) {
            return agent;
        }
        ScheduledExecutorService feed = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("nexd-relay-members").daemon(true).factory());
        ScheduledFuture<?> _ = feed.scheduleWithFixedDelay(
                () -> members.refresh(agent.vpcDeviceKeys(), relay.relay().derpServer()),
                0,
                MEMBERS_REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
        return () -> {
            feed.shutdownNow();
            agent.close();
        };
    }

    /** How often an onboarded relay takes the VPC's device list from its agent (a deleted device loses it as fast). */
    private static final Duration MEMBERS_REFRESH = Duration.ofMillis(500);

    static void configureLogging(String level) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/nexodus/nexd/logback-nexd.xml");
        }
        boolean debug = level != null && !level.isBlank() && !level.equalsIgnoreCase("info");
        System.setProperty("nexd.logLevel", debug ? "DEBUG" : "INFO");
        if (debug) {
            System.setProperty("nexd.apiLogLevel", "INFO");
        }
    }

    @Override
    public Integer call() {
        return runAgent(AgentConfig.Mode.AGENT, spec);
    }

    int runAgent(AgentConfig.Mode mode, CommandLine.Model.CommandSpec where) {
        return runAgent(mode, where, null, null);
    }

    /**
     * Runs the agent; {@code router} (may be null: not a router) supplies {@code nexd router}'s part, {@code proxy}
     * (may be null) {@code nexd proxy}'s.
     */
    int runAgent(AgentConfig.Mode mode, CommandLine.Model.CommandSpec where, RouterOptions router, ProxyOptions proxy) {
        PrintWriter err = where.commandLine().getErr();
        AgentConfig config;
        try {
            config = configFor(mode, router, proxy, System.getenv(), isRoot());
        } catch (IllegalArgumentException e) {
            err.println("nexd: " + e.getMessage());
            err.println("Try 'nexd " + (router != null ? "router " : proxy != null ? "proxy " : "")
                    + "--help' for more information.");
            return 2;
        }
        if (config.serviceUrl().getScheme().equals("http")) {
            err.println(
                    "nexd: WARNING: " + config.serviceUrl() + " is plain HTTP: the registration key, tokens and this"
                            + " device's data cross the network unencrypted. Use https outside a lab.");
        }
        if (config.tls().insecureSkipTlsVerify()) {
            err.println("nexd: WARNING: --insecure-skip-tls-verify: the service's identity is not checked");
        }
        if (options.rejoin) {
            try {
                String key = rejoin(config.stateDir());
                err.println("nexd: --rejoin: new WireGuard key " + key + "; this host joins as a new device");
            } catch (StateException e) {
                err.println("nexd: " + e.getMessage());
                return 1;
            }
        }
        if (options.dns && config.isProxy()) {
            err.println("nexd: --dns needs a tunnel interface on the host: not in proxy mode");
            return 2;
        }
        Agent agent = new Agent(
                config,
                StunClientProbe.factory(StunClientConfig.defaults().withSoftware("nexd")),
                Clock.systemUTC(),
                CommandRunner.SYSTEM,
                NexodusVersion.current());
        VpcDns dns = null;
        if (options.dns) {
            try {
                dns = VpcDns.start(
                        agent::vpcDevices,
                        () -> tunnelAddresses(agent),
                        HostResolver.detect(RESOLV_CONF, config.interfaceName(), CommandRunner.SYSTEM),
                        DNS_PORT);
            } catch (IOException e) {
                err.println("nexd: --dns: " + e.getMessage());
                return 1;
            }
            agent.addStatusLines(dns::statusLines);
        }
        VpcDns names = dns;
        Thread hook = new Thread(
                () -> {
                    if (names != null) {
                        names.close(); // the host's resolver first: it must not point at a server that is gone
                    }
                    agent.close();
                },
                "nexd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.run();
            return 0;
        } catch (StartupException e) {
            err.println("nexd: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (names != null) {
                names.close();
            }
            agent.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
        }
    }

    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final int DNS_PORT = 53;

    /** The device's tunnel addresses once registered (IPv4 first), for its DNS server. */
    private static List<InetAddress> tunnelAddresses(Agent agent) {
        List<InetAddress> out = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            agent.tunnelIp(v6).ifPresent(a -> out.add(InetAddress.ofLiteral(a)));
        }
        return out;
    }

    /** The agent's configuration for the command line, with {@code nexd router}'s or {@code nexd proxy}'s part. */
    AgentConfig configFor(
            AgentConfig.Mode mode, RouterOptions router, ProxyOptions proxy, Map<String, String> env, boolean root) {
        AgentConfig config = options.toConfig(mode, env, root, System.getProperty("user.home"), hostname());
        if (router != null) {
            config = config.withRouter(router.toRouter());
        }
        if (proxy != null) {
            config = config.withProxy(proxy.toProxy());
            if (config.usesWireGuardGo()) {
                throw new IllegalArgumentException(
                        "nexd proxy runs the built-in WireGuard on its own network stack: unset NEXD_USE_WIREGUARD_GO");
            }
            if (config.mtu() < 1280) {
                throw new IllegalArgumentException(
                        "nexd proxy needs --mtu 1280 or more (the userspace stack's" + " minimum, IPv6's)");
            }
        }
        return config;
    }

    /**
     * Replaces the stored WireGuard key pair with a new one (keeping the login and the port), so the next
     * registration is a new device; returns the new public key.
     */
    static String rejoin(Path stateDir) throws StateException {
        NodePrivateKey key = NodePrivateKey.generate();
        new StateStore(stateDir).update(s -> s.withKeys(key.publicKey().toBase64(), key.toBase64()));
        return key.publicKey().toBase64();
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The host name of our UTS namespace (no DNS lookup). */
    static String hostname() {
        return LocalHostname.read("unknown");
    }

    @Command(
            name = "relay",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Runs this host as the VPC's WireGuard relay (hub): registers with relay=true and the metadata",
                "relay={\"type\":\"wireguard\"}, listens on UDP 51820 unless --listen-port says otherwise, and forwards",
                "between peers (IP forwarding and an nftables forward rule in this host's network namespace). Peers",
                "behind symmetric NAT, or started with --relay-only, reach everyone through it. Refuses to start if",
                "the VPC has a WireGuard relay already (one per VPC; several onboarded DERP relays are fine, see",
                "nexd relayderp --onboard). Takes the same flags as nexd.",
                ""
            })
    static final class Relay implements Callable<Integer> {
        @ParentCommand
        NexdCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return parent.runAgent(AgentConfig.Mode.RELAY, spec);
        }
    }

    @Command(
            name = "router",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Runs this host as a subnet router: it joins the VPC like nexd and advertises",
                "networks (advertise_cidrs) that every peer then routes through it, so hosts",
                "on those networks that do not run nexd are reachable from the VPC.",
                "",
                "With --network-router it forwards the mesh's packets to them: IP forwarding",
                "on in this host's network namespace and the nftables table",
                "inet nexodus-router (removed on exit), which source-NATs them to this host's",
                "address on the way out (the LAN needs no route back). With --disable-nat the",
                "tunnel source addresses are kept: the LAN then needs a route to the VPC's",
                "prefix via this host. This device's security group applies to the routed",
                "packets too (built-in WireGuard). Takes the same flags as nexd.",
                "With --exit-node it is an exit node: it advertises 0.0.0.0/0 and forwards the",
                "IPv4 internet traffic of peers that chose it (nexctl nexd exit-node enable),",
                "masqueraded out of this host's uplink; --advertise-cidr is optional then.",
                ""
            },
            footer = {
                "",
                "Examples:",
                "  nexd router --advertise-cidr 192.168.1.0/24 --network-router \\",
                "      --reg-key https://nexodus.example.com#RK:...",
                "  nexd router --advertise-cidr 10.1.0.0/16,fd00:1::/64 --network-router \\",
                "      --disable-nat --reg-key ...",
                "  nexd router --advertise-cidr 172.24.0.0/24 --reg-key ...",
                "      # advertise only: a container bridge this host routes already",
                "  nexd router --exit-node --reg-key ...",
                "      # an exit node for the VPC's devices that enable it"
            })
    static final class Router implements Callable<Integer> {
        @ParentCommand
        NexdCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        RouterOptions router = new RouterOptions();

        @Override
        public Integer call() {
            return parent.runAgent(AgentConfig.Mode.AGENT, spec, router, null);
        }
    }

    @Command(
            name = "proxy",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Joins the VPC without root and without a tunnel interface: the built-in WireGuard runs on a",
                "userspace TCP/IP stack that holds this device's tunnel address, and TCP/UDP ports are",
                "forwarded between it and this host by rules. No routes, no nftables, no TUN: other programs",
                "on this host reach the mesh only through --egress rules, and the mesh reaches this host only",
                "through --ingress rules. Peering, relays, DERP and STUN work as for nexd; this device's",
                "security group still filters what peers send (built-in WireGuard).",
                "",
                "Rules are protocol:port:destination_ip:destination_port, protocol tcp or udp. One rule per",
                "direction, protocol and port. Add and remove rules at run time with",
                "`nexctl nexd proxy add|remove|list` (kept in the state directory across restarts; rules from",
                "these flags are not stored, the flags bring them back). UDP flows close after 1 minute idle.",
                "Not available in this mode: `wg show` (no UAPI socket), `nexctl nexd peers ping`, IP fragments.",
                "Takes the same flags as nexd (as non-root, --state-dir defaults to $HOME/.nexodus).",
                ""
            },
            footer = {
                "",
                "Examples:",
                "  nexd proxy --ingress tcp:80:127.0.0.1:8080 --reg-key https://nexodus.example.com#RK:...",
                "      # peers reach this host's port 8080 at <tunnel ip>:80",
                "  nexd proxy --egress tcp:5432:100.64.0.7:5432 --egress udp:53:100.64.0.9:53 --reg-key ...",
                "      # local programs reach peers at 127.0.0.1:5432 and 127.0.0.1:53 (UDP)",
                "  nexctl nexd proxy add --ingress tcp:22:127.0.0.1:22    # while it runs"
            })
    static final class Proxy implements Callable<Integer> {
        @ParentCommand
        NexdCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ProxyOptions proxy = new ProxyOptions();

        @Override
        public Integer call() {
            return parent.runAgent(AgentConfig.Mode.AGENT, spec, null, proxy);
        }
    }

    @Command(name = "version", description = "Prints the version.")
    static final class Version implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println("nexd version " + NexodusVersion.current());
            return 0;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nexd version " + NexodusVersion.current()};
        }
    }

    /** For tests: the parsed options of a command line (agent or relay). */
    static NexdOptions parse(String... args) {
        NexdCommand cmd = new NexdCommand();
        commandLine(cmd).parseArgs(args);
        return cmd.options;
    }

    /** For tests: the agent's configuration of a {@code nexd router ...} command line (no environment, as root). */
    static AgentConfig parseRouter(String... args) {
        NexdCommand cmd = new NexdCommand();
        CommandLine.ParseResult r = commandLine(cmd).parseArgs(args);
        Router router = (Router) r.subcommand().commandSpec().userObject();
        return cmd.options
                .toConfig(AgentConfig.Mode.AGENT, noEnv(), true, "/root", "test")
                .withRouter(router.router.toRouter());
    }

    /** For tests: the agent's configuration of a {@code nexd proxy ...} command line (environment {@code env}). */
    static AgentConfig parseProxy(Map<String, String> env, String... args) {
        NexdCommand cmd = new NexdCommand();
        CommandLine.ParseResult r = commandLine(cmd).parseArgs(args);
        Proxy proxy = (Proxy) r.subcommand().commandSpec().userObject();
        return cmd.configFor(AgentConfig.Mode.AGENT, null, proxy.proxy, env, false);
    }

    static Map<String, String> noEnv() {
        return Map.of();
    }
}
