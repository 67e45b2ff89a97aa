package io.nexodus.e2e;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.scenario.LabAgent;
import io.nexodus.e2e.scenario.LabService;
import io.nexodus.e2e.scenario.NexdAotCache;
import java.io.BufferedReader;
import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
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
            and nexd agents, and shows every few seconds one line per pair of agents:
              easy-a - easy-b  ok  easy-a: reflexive 198.51.100.12:52968 hs 42s ago rx 0s ago | easy-b: ...
            ok  a ping through the tunnel was answered just now (packets flow both ways),  ..  no handshake yet,
            !!  down. Then each side's own report: the peering method as `nexctl nexd peers list` names it
              direct-local     to the peer's LAN address (same NAT)
              reflexive        to the peer's public (reflexive) address, hole-punched through NATs
              peer-reflexive   symmetric NAT and a public host: to the address the peer's packets came from
              via-relay        through the VPC's WireGuard relay (symmetric NAT)
              via-derp-relay   through a DERP relay (HTTPS)
              relay-node-...   to or from the relay itself
            the endpoint it sends to, its last handshake (hs) and when its received-bytes counter last moved (rx).

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
        if (!"root".equals(System.getProperty("user.name")) && !new File("/proc/self").canWrite()) {
            System.err.println("nexodus playground: needs root (it creates network namespaces)");
            System.exit(1);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("building the lab in " + dir + " ...");
        NatLab lab = StandardLab.build(dir);
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
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
        List<String> aot = NexdAotCache.create(dir.resolve("cache"));
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
                    + "  (type 'help' + Enter for commands, Ctrl-C to stop)");
            out.println(table);
            String ev = lastEvent.get();
            if (!ev.isEmpty()) {
                out.println("last: " + ev);
            }
            Thread.sleep(refresh);
        }
    }

    /**
     * One line per pair of agents: whether a ping through the tunnel is answered right now (so packets flow both
     * ways), then what each side reports: its peering method (as {@code nexctl nexd peers list} names it), the
     * endpoint it sends to, the age of its last handshake, and how long ago its receive counter last moved.
     */
    String table() {
        Instant now = Instant.now();
        List<String> names = new ArrayList<>(agents.keySet());
        Map<String, String> keyToName = new LinkedHashMap<>();
        for (Map.Entry<String, LabAgent> e : agents.entrySet()) {
            try {
                keyToName.put(e.getValue().publicKey(), e.getKey());
            } catch (RuntimeException notRegisteredYet) {
                // shown as "?" below
            }
        }
        Map<String, Map<String, PeerStatus>> views = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (String from : names) {
            try {
                Map<String, PeerStatus> view = new LinkedHashMap<>();
                for (PeerStatus s : agents.get(from).peers().peers().values()) {
                    String n = keyToName.get(s.publicKey());
                    if (n != null) {
                        view.put(n, s);
                        lastReceive.compute(
                                from + ">" + n,
                                (k, old) -> old == null || old.rx() != s.rx()
                                        ? new Received(s.rx(), old == null && s.rx() == 0 ? null : now)
                                        : old);
                    }
                }
                views.put(from, view);
            } catch (RuntimeException e) {
                problems.put(from, e.getMessage());
            }
        }
        Map<String, Future<Boolean>> pings = new LinkedHashMap<>();
        try (ExecutorService pinger = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    String a = names.get(i);
                    String b = names.get(j);
                    pings.put(a + ">" + b, pinger.submit(() -> {
                        try {
                            return agents.get(a).host().canPing(agents.get(b).tunnelIp(), Duration.ofSeconds(1));
                        } catch (RuntimeException noTunnelYet) {
                            return false;
                        }
                    }));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                String a = names.get(i);
                String b = names.get(j);
                PeerStatus ab = views.getOrDefault(a, Map.of()).get(b);
                PeerStatus ba = views.getOrDefault(b, Map.of()).get(a);
                boolean answered = pings.get(a + ">" + b).resultNow();
                boolean everShook = (ab != null && !ab.latestHandshake().isEmpty())
                        || (ba != null && !ba.latestHandshake().isEmpty());
                String verdict = answered ? "ok" : everShook ? "!!" : "..";
                sb.append(String.format(
                        Locale.ROOT,
                        "%-17s %-3s %s | %s%n",
                        a + " - " + b,
                        verdict,
                        side(a, b, ab, problems, now),
                        side(b, a, ba, problems, now)));
            }
        }
        return sb.toString();
    }

    /** When the playground last saw an agent's receive counter for a peer move. */
    private record Received(long rx, Instant at) {}

    private final Map<String, Received> lastReceive = new ConcurrentHashMap<>();

    private String side(String from, String to, PeerStatus s, Map<String, String> problems, Instant now) {
        if (problems.containsKey(from)) {
            return from + ": ? (" + problems.get(from) + ")";
        }
        if (s == null) {
            return from + ": no peer " + to + " yet";
        }
        String method = s.method() == null ? "none" : s.method();
        if (s.endpoint().isEmpty()) {
            // no WireGuard peer of its own: its packets ride the tunnel to the relay (that pair's line)
            return from + ": " + method + " (inside the tunnel to the relay)";
        }
        Received r = lastReceive.get(from + ">" + to);
        return String.format(
                Locale.ROOT,
                "%s: %s %s hs %s rx %s",
                from,
                method,
                s.endpoint(),
                s.latestHandshake().isEmpty() ? "never" : age(Instant.parse(s.latestHandshake()), now),
                r == null || r.at() == null ? "never" : age(r.at(), now));
    }

    /** "4s ago", "3m ago". */
    static String age(Instant then, Instant now) {
        long secs = Math.max(0, Duration.between(then, now).toSeconds());
        return secs < 120 ? secs + "s ago" : secs / 60 + "m ago";
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
        } catch (IOException e) {
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
