package io.nexodus.e2e;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.scenario.LabAgent;
import io.nexodus.e2e.scenario.LabService;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bin/nexodus playground}: the NAT lab for a person. Builds the standard topology in network namespaces, runs
 * the real service and a nexd on a set of hosts (public, behind easy NATs, two behind one NAT, behind symmetric NAT,
 * plus the WireGuard relay), and prints a live table of who reaches whom and how. Commands on stdin change the
 * network while it runs. Ctrl-C (or SIGTERM) stops every process and removes every namespace.
 */
public final class Playground {
    static final List<String> DEFAULT_AGENTS = List.of(
            StandardLab.PUB_A,
            StandardLab.EASY_A,
            StandardLab.EASY_B,
            StandardLab.LAN_A,
            StandardLab.LAN_B,
            StandardLab.SYM_A);
    static final String HELP = """
            Usage: nexodus playground [--agents HOST,...] [--no-relay] [--dir DIR] [--refresh SECONDS]

            Runs the NAT lab (network namespaces; needs root) with the Nexodus service on 'service' (203.0.113.10)
            and nexd agents, and shows every few seconds how each agent reaches each peer:
              LAN      direct, to the peer's LAN address (same NAT)
              direct   direct, to the peer's public (reflexive) address, hole-punched through NATs
              relay    through the VPC's WireGuard relay (symmetric NAT)
              hub      to or from the relay itself
            followed by  ok (the path works),  ..  (coming up),  !! (down).

            Hosts: pub-a pub-b (public), easy-a (easy NAT easy1), easy-b (easy NAT easy2, same LAN addresses as easy1),
            lan-a lan-b (two hosts behind NAT 'shared'), sym-a sym-b (symmetric NAT), dbl-a (double NAT),
            relay (the WireGuard relay; started unless --no-relay). Default agents: %s.

            Commands (type them and press Enter):
              remap GATEWAY      give the NAT a new port range and flush it (a NAT mapping change), e.g. remap easy1
              renumber GATEWAY   give the NAT a new public address
              block HOST         drop all UDP on a host (its tunnels stop), unblock HOST to undo
              stop-service       kill the service (tunnels keep working), start-service to bring it back
              help, quit
            Logs and per-host directories: DIR (default /tmp/nexodus-playground). Inspect a host with
              ip netns exec <namespace> bash    (namespaces are listed at start; wg show works there)
            """;

    private final NatLab lab;
    private final LabService service;
    private final Map<String, LabAgent> agents = new LinkedHashMap<>();
    private final PrintStream out;
    private final AtomicReference<String> lastEvent = new AtomicReference<>("");

    private Playground(NatLab lab, LabService service, PrintStream out) {
        this.lab = lab;
        this.service = service;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        List<String> hosts = DEFAULT_AGENTS;
        boolean relay = true;
        Path dir = Path.of("/tmp/nexodus-playground");
        int refresh = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agents" -> hosts = List.of(args[++i].split(","));
                case "--no-relay" -> relay = false;
                case "--dir" -> dir = Path.of(args[++i]);
                case "--refresh" -> refresh = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.printf(HELP, String.join(" ", DEFAULT_AGENTS));
                    return;
                }
                default -> {
                    System.err.println("nexodus playground: unknown option " + args[i] + " (see --help)");
                    System.exit(2);
                }
            }
        }
        if (!"root".equals(System.getProperty("user.name")) && !new java.io.File("/proc/self").canWrite()) {
            System.err.println("nexodus playground: needs root (it creates network namespaces)");
            System.exit(1);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("building the lab in " + dir + " ...");
        NatLab lab = StandardLab.build(dir);
        CountDownLatch done = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        LabService service = null;
        Playground p = null;
        try {
            out.println(lab.describe());
            out.println("starting the service on " + StandardLab.SERVICE + " ...");
            service = LabService.start(lab, lab.host(StandardLab.SERVICE));
            p = new Playground(lab, service, out);
            Playground pg = p;
            LabService svc = service;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                stopping.set(true);
                                out.println("\nstopping: agents, service, namespaces ...");
                                pg.agents.values().forEach(LabAgent::close);
                                svc.close();
                                lab.close();
                                done.countDown();
                            },
                            "playground-stop"));
            p.startAgents(hosts, relay, dir);
            Thread.ofVirtual().name("playground-commands").start(pg::commands);
            p.loop(Duration.ofSeconds(refresh));
        } catch (RuntimeException e) {
            if (stopping.get()) {
                done.await(); // Ctrl-C while starting: the shutdown hook cleans up
                return;
            }
            out.println("nexodus playground: " + e.getMessage());
            if (p != null) {
                p.agents.values().forEach(LabAgent::close);
            }
            if (service != null) {
                service.close();
            }
            lab.close();
            System.exit(1);
        }
    }

    private void startAgents(List<String> hosts, boolean relay, Path dir) {
        out.println("preparing nexd's start-up cache ...");
        List<String> aot = io.nexodus.e2e.scenario.NexdAotCache.create(dir.resolve("cache"));
        NexodusClient admin = service.admin();
        Vpc vpc = admin.vpcs().create(new AddVpc(admin.users().me().id(), "playground", false, null, null));
        String rk = admin.regKeys()
                .create(new AddRegKey(vpc.id(), null, "playground", false, null, null, null))
                .bearerToken();
        out.println("VPC " + vpc.id() + ", registration key " + service.url() + "#" + rk);
        if (relay) {
            LabAgent.Builder rb =
                    LabAgent.on(lab.host(StandardLab.RELAY), service, rk).relay();
            aot.forEach(rb::jvmArg);
            LabAgent r = rb.start();
            agents.put(StandardLab.RELAY, r);
            r.awaitRunning(Duration.ofMinutes(2));
        }
        for (String h : hosts) {
            LabHost host = lab.host(h);
            LabAgent.Builder b = LabAgent.on(host, service, rk);
            aot.forEach(b::jvmArg);
            agents.put(h, b.start());
        }
        for (Map.Entry<String, LabAgent> e : agents.entrySet()) {
            e.getValue().awaitRunning(Duration.ofMinutes(2));
            out.printf(
                    Locale.ROOT,
                    "  %-8s nexd up: tunnel %s, control socket %s (nexctl nexd --unix-socket ...)%n",
                    e.getKey(),
                    e.getValue().tunnelIp(),
                    e.getValue().controlSocket());
        }
    }

    private void loop(Duration refresh) throws InterruptedException {
        boolean tty =
                Optional.ofNullable(System.console()).map(Console::isTerminal).orElse(false);
        while (!lab.isClosed()) {
            String table = table();
            if (tty) {
                out.print("\033[H\033[2J");
            }
            out.println("Nexodus playground "
                    + LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS)
                    + "  (rows reach columns; type 'help' + Enter for commands, Ctrl-C to stop)");
            out.println(table);
            String ev = lastEvent.get();
            if (!ev.isEmpty()) {
                out.println("last: " + ev);
            }
            Thread.sleep(refresh);
        }
    }

    /** The matrix: each agent's view of each other agent (method and health). */
    String table() {
        List<String> names = new ArrayList<>(agents.keySet());
        Map<String, String> keyToName = new LinkedHashMap<>();
        for (Map.Entry<String, LabAgent> e : agents.entrySet()) {
            try {
                keyToName.put(e.getValue().publicKey(), e.getKey());
            } catch (RuntimeException ignored) {
                // not registered yet
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-9s", ""));
        names.forEach(n -> sb.append(String.format(Locale.ROOT, "%-12s", n)));
        sb.append('\n');
        for (String from : names) {
            sb.append(String.format(Locale.ROOT, "%-9s", from));
            Map<String, PeerStatus> view;
            String problem = null;
            try {
                ListPeersResult r = agents.get(from).peers();
                view = new LinkedHashMap<>();
                for (PeerStatus s : r.peers().values()) {
                    String n = keyToName.get(s.publicKey());
                    if (n != null) {
                        view.put(n, s);
                    }
                }
            } catch (RuntimeException e) {
                view = Map.of();
                problem = "(" + e.getMessage() + ")";
            }
            for (String to : names) {
                String cell;
                if (to.equals(from)) {
                    cell = "-";
                } else if (problem != null) {
                    cell = "?";
                } else {
                    PeerStatus s = view.get(to);
                    cell = s == null
                            ? ""
                            : shortMethod(s.method()) + " "
                                    + (s.healthy() ? "ok" : s.latestHandshake().isEmpty() ? ".." : "!!");
                }
                sb.append(String.format(Locale.ROOT, "%-12s", cell));
            }
            if (problem != null) {
                sb.append(problem);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String shortMethod(String m) {
        if (m == null) {
            return "none";
        }
        return switch (m) {
            case "direct-local", "relay-node-self-direct-local", "relay-node-peer-direct-local" -> "LAN";
            case "reflexive" -> "direct";
            case "via-relay" -> "relay";
            case "via-derp-relay" -> "derp";
            case "relay-node-self", "relay-node-peer" -> "hub";
            default -> m;
        };
    }

    private void commands() {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try {
            while ((line = in.readLine()) != null) {
                String[] w = line.strip().split("\\s+");
                if (w.length == 0 || w[0].isEmpty()) {
                    continue;
                }
                try {
                    lastEvent.set(LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS) + " " + run(w));
                } catch (RuntimeException e) {
                    lastEvent.set("'" + line.strip() + "' failed: " + e.getMessage());
                }
            }
        } catch (java.io.IOException e) {
            // stdin closed: no commands
        }
    }

    private String run(String[] w) {
        return switch (w[0]) {
            case "remap" -> {
                int base = 20000 + ((int) (Math.random() * 40)) * 1000;
                lab.gateway(w[1]).setMapping(NatMapping.easy().withPorts(base, base + 999));
                lab.gateway(w[1]).flushConntrack();
                yield w[1] + " now maps to ports " + base + "-" + (base + 999) + " (conntrack flushed)";
            }
            case "renumber" ->
                w[1] + " has the public address " + lab.gateway(w[1]).renumber() + " now";
            case "block" -> {
                lab.host(w[1]).blockUdp();
                yield "UDP blocked on " + w[1];
            }
            case "unblock" -> {
                lab.host(w[1]).unblockUdp();
                yield "UDP unblocked on " + w[1];
            }
            case "stop-service" -> {
                service.kill();
                yield "service killed (tunnels keep working)";
            }
            case "start-service" -> {
                service.restart();
                yield "service started again";
            }
            case "quit", "exit" -> {
                System.exit(0);
                yield "";
            }
            case "help" ->
                "commands: remap GW, renumber GW, block HOST, unblock HOST, stop-service, start-service, quit";
            default -> "unknown command " + w[0] + " (help)";
        };
    }
}
