package io.nexodus.e2e.bench;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.e2e.scenario.LabAgent;
import io.nexodus.e2e.scenario.LabService;
import io.nexodus.e2e.scenario.NexdAotCache;
import io.nexodus.e2e.scenario.PingProbe;
import io.nexodus.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NAT matrix: every pair of NAT types of the standard lab, each pair in a VPC of its own, both agents launched at
 * the same moment, measured from the first side's point of view:
 * <ul>
 *   <li><b>method</b> the path in use once the pair settled (each side's view, as {@code nexctl nexd peers list});</li>
 *   <li><b>first packet</b> from the moment both agents run to the first ICMP echo reply through the tunnel (a 50 ms
 *       ping from the first host);</li>
 *   <li><b>direct after</b> from both running to a direct method (LAN or reflexive) up on both sides, or "never"
 *       within the settle time;</li>
 *   <li><b>throughput</b> one iperf3 TCP stream for 3 s from the first host to the second;</li>
 *   <li><b>success</b> attempts where the first packet came within the settle time and a checksummed TCP transfer of
 *       {@code --bytes} arrived intact.</li>
 * </ul>
 * Without {@code --relay} the VPC has no WireGuard relay: a pair that cannot go direct uses the service's public DERP
 * relay. Not a test: a table for {@code docs/}, made by {@code bench/scripts/nat-matrix.sh}.
 */
public final class NatMatrix {
    /**
     * A lab host and what stands between it and the internet; {@code sequentialGateway}: its gateway, switched to
     * {@link NatMapping#sequential()} for the attempt.
     */
    private record Side(String host, String nat, String sequentialGateway) {
        Side(String host, String nat) {
            this(host, nat, null);
        }
    }

    private record Pair(Side a, Side b) {
        String name() {
            return a.nat + " - " + b.nat;
        }
    }

    private record Attempt(
            boolean ok,
            String methodA,
            String methodB,
            long firstPacketMs,
            long directMs,
            double mbitPerSecond,
            String problem) {}

    private static final Side PUBLIC_A = new Side(StandardLab.PUB_A, "public");
    private static final Side PUBLIC_B = new Side(StandardLab.PUB_B, "public");
    private static final Side EASY_A = new Side(StandardLab.EASY_A, "easy NAT");
    private static final Side EASY_B = new Side(StandardLab.EASY_B, "easy NAT");
    private static final Side SYM_A = new Side(StandardLab.SYM_A, "symmetric NAT");
    private static final Side SYM_B = new Side(StandardLab.SYM_B, "symmetric NAT");
    private static final Side DOUBLE = new Side(StandardLab.DBL_A, "double NAT");
    private static final Side TCP443 = new Side(StandardLab.FW_A, "TCP 443 only");
    /** sym-b with sym2 counting ports in turn (a new port per flow, the next one each time). */
    private static final Side SEQ_B = new Side(StandardLab.SYM_B, "sequential NAT", StandardLab.SYM2);

    private static final Side LAN_A = new Side(StandardLab.LAN_A, "same NAT");
    private static final Side LAN_B = new Side(StandardLab.LAN_B, "same NAT");

    private static final List<Pair> PAIRS = List.of(
            new Pair(PUBLIC_A, PUBLIC_B),
            new Pair(PUBLIC_A, EASY_A),
            new Pair(PUBLIC_A, SYM_A),
            new Pair(PUBLIC_A, DOUBLE),
            new Pair(PUBLIC_A, TCP443),
            new Pair(EASY_A, EASY_B),
            new Pair(EASY_A, SYM_A),
            new Pair(EASY_A, DOUBLE),
            new Pair(EASY_A, TCP443),
            new Pair(SYM_A, SYM_B),
            new Pair(SYM_A, DOUBLE),
            new Pair(SYM_A, TCP443),
            new Pair(DOUBLE, TCP443),
            new Pair(LAN_A, LAN_B),
            new Pair(PUBLIC_A, SEQ_B),
            new Pair(EASY_A, SEQ_B),
            new Pair(SYM_A, SEQ_B));

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int SINK_PORT = 7300;

    private NatMatrix() {}

    public static void main(String[] args) throws Exception {
        int attempts = 1;
        long bytes = 1L << 20;
        boolean relay = false;
        String only = "";
        Path out = Path.of("target", "nat-matrix");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--attempts" -> attempts = Integer.parseInt(args[++i]);
                case "--bytes" -> bytes = Long.parseLong(args[++i]);
                case "--relay" -> relay = true;
                case "--only" -> only = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("NatMatrix [--attempts N] [--bytes B] [--relay] [--only TEXT] [--out DIR]: every"
                            + " pair of NAT types of the lab (--only: the pairs whose name contains TEXT); method, time"
                            + " to first packet and to direct, throughput, success. Needs root.");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
        }
        Files.createDirectories(out);
        List<String> aot = NexdAotCache.create(out);
        try (NatLab lab = StandardLab.build(out.resolve("lab"));
                LabService service = LabService.start(lab, lab.host(StandardLab.SERVICE))) {
            admitTheApiThroughTheFirewall(lab);
            List<String> rows = new ArrayList<>();
            for (Pair pair : PAIRS) {
                if (!pair.name().contains(only)) {
                    continue;
                }
                List<Attempt> results = new ArrayList<>();
                for (int n = 1; n <= attempts; n++) {
                    Attempt r = attempt(lab, service, pair, relay, bytes, aot);
                    results.add(r);
                    System.out.printf(
                            Locale.ROOT,
                            "%-32s #%d  %s%n",
                            pair.name(),
                            n,
                            r.ok ? describe(r) : "FAILED: " + r.problem + " " + describe(r));
                    reset(lab, service);
                }
                rows.add(row(pair, results));
            }
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "NAT matrix (%s, %d attempt(s) per pair; throughput: one iperf3 TCP stream, 3 s)%n",
                    relay ? "with a WireGuard relay in the VPC" : "no WireGuard relay: the public DERP relay",
                    attempts);
            System.out.println(
                    "| pair | hosts | method (first / second side) | first packet after both run | direct after | throughput | success |");
            System.out.println("|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
        }
    }

    /** Back to the built lab between attempts: every process but the service's stopped, NATs and filters reset. */
    private static void reset(NatLab lab, LabService service) {
        for (var h : lab.hosts()) {
            if (!h.name().equals(StandardLab.SERVICE)) {
                h.stopProcesses();
            }
        }
        lab.resetNetwork();
        lab.addHostsEntryEverywhere(service.host().address(), LabService.HOST_NAME);
        admitTheApiThroughTheFirewall(lab);
    }

    /**
     * The lab's firewall lets out only TCP to 443; the lab's API listens on 8443, so that one port to the service is
     * admitted too (a real deployment serves the API on 443).
     */
    private static void admitTheApiThroughTheFirewall(NatLab lab) {
        lab.gateway(StandardLab.FW).admitTcp(lab.host(StandardLab.SERVICE).address(), LabService.PORT);
    }

    private static Attempt attempt(
            NatLab lab, LabService service, Pair pair, boolean relay, long bytes, List<String> aot) {
        NexodusClient admin = service.admin();
        String vpcName = "m" + Long.toHexString(System.nanoTime());
        Vpc vpc = admin.vpcs().create(new AddVpc(admin.users().me().id(), vpcName, false, null, null));
        String rk = admin.regKeys()
                .create(new AddRegKey(vpc.id(), null, vpcName, false, null, null, null))
                .bearerToken();
        List<LabAgent> agents = new ArrayList<>();
        for (Side side : List.of(pair.a, pair.b)) {
            if (side.sequentialGateway != null) {
                lab.gateway(side.sequentialGateway).setMapping(NatMapping.sequential()); // undone by the reset
            }
        }
        try (ChildProcess _ = lab.host(pair.b.host).startTransferServer(SINK_PORT)) {
            if (relay) {
                LabAgent.Builder r =
                        LabAgent.on(lab.host(StandardLab.RELAY), service, rk).relay();
                aot.forEach(r::jvmArg);
                agents.add(r.start().awaitRunning(Duration.ofSeconds(90)));
            }
            LabAgent.Builder ba = LabAgent.on(lab.host(pair.a.host), service, rk);
            LabAgent.Builder bb = LabAgent.on(lab.host(pair.b.host), service, rk);
            aot.forEach(ba::jvmArg);
            aot.forEach(bb::jvmArg);
            LabAgent a = ba.start();
            agents.add(a);
            LabAgent b = bb.start();
            agents.add(b);
            a.awaitRunning(Duration.ofSeconds(90));
            b.awaitRunning(Duration.ofSeconds(90));
            Instant up = Instant.now();
            try (PingProbe ping = PingProbe.start(lab.host(pair.a.host), b.tunnelIp())) {
                Optional<Instant> first = ping.firstReplyAfter(up, SETTLE);
                long firstMs =
                        first.map(t -> Duration.between(up, t).toMillis()).orElse(-1L);
                long directMs = -1;
                Instant deadline = up.plus(SETTLE);
                while (Instant.now().isBefore(deadline)) {
                    if (direct(a.peer(b)) && direct(b.peer(a))) {
                        directMs = Duration.between(up, Instant.now()).toMillis();
                        break;
                    }
                    Thread.sleep(100);
                }
                if (directMs < 0) {
                    Thread.sleep(2000); // let a relayed pair settle on its relay before reading the method
                }
                String ma = a.peer(b).map(PeerStatus::method).orElse("none");
                String mb = b.peer(a).map(PeerStatus::method).orElse("none");
                if (first.isEmpty()) {
                    return new Attempt(false, ma, mb, -1, directMs, 0, "no packet within " + SETTLE.toSeconds() + " s");
                }
                TransferResult t =
                        lab.host(pair.a.host).transfer(b.tunnelIp(), SINK_PORT, bytes, Duration.ofSeconds(60));
                double mbit = t.ok() ? iperfMbit(lab.host(pair.a.host), lab.host(pair.b.host), b.tunnelIp()) : 0;
                return new Attempt(t.ok(), ma, mb, firstMs, directMs, mbit, t.ok() ? "" : "transfer failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(false, "?", "?", -1, -1, 0, "interrupted");
        } catch (RuntimeException e) {
            return new Attempt(false, "?", "?", -1, -1, 0, e.getMessage());
        } finally {
            agents.forEach(LabAgent::close);
            try {
                admin.vpcs().delete(vpc.id());
            } catch (RuntimeException e) {
                // the next pair has its own VPC
            }
        }
    }

    /** One iperf3 TCP stream for 3 s through the tunnel; 0 when it does not run. */
    private static double iperfMbit(LabHost from, LabHost to, String address) {
        try (ChildProcess _ = to.spawn("iperf3-server", List.of("iperf3", "-s", "-1", "-p", "5299"))) {
            Thread.sleep(300);
            var r = from.tryExec(Duration.ofSeconds(20), "iperf3", "-c", address, "-p", "5299", "-t", "3", "-f", "m");
            Matcher m = IPERF_RECEIVER.matcher(r.stdout());
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static final Pattern IPERF_RECEIVER = Pattern.compile("([0-9.]+) Mbits/sec\\s+receiver");

    private static boolean direct(Optional<PeerStatus> s) {
        return s.isPresent()
                && s.get().healthy()
                && (PeeringMethod.REFLEXIVE.equals(s.get().method())
                        || PeeringMethod.PEER_REFLEXIVE.equals(s.get().method())
                        || PeeringMethod.DIRECT_LOCAL.equals(s.get().method()));
    }

    private static String describe(Attempt r) {
        return String.format(
                Locale.ROOT,
                "%s / %s, first packet %s, direct %s, %.0f Mbit/s",
                r.methodA,
                r.methodB,
                r.firstPacketMs < 0 ? "never" : r.firstPacketMs + " ms",
                r.directMs < 0 ? "never" : r.directMs + " ms",
                r.mbitPerSecond);
    }

    private static String row(Pair pair, List<Attempt> results) {
        List<Attempt> ok = results.stream().filter(Attempt::ok).toList();
        String methods = results.stream()
                .map(r -> r.methodA + " / " + r.methodB)
                .distinct()
                .reduce((x, y) -> x + "; " + y)
                .orElse("");
        return String.format(
                Locale.ROOT,
                "| %s | %s, %s | %s | %s | %s | %s | %d/%d |",
                pair.name(),
                pair.a.host,
                pair.b.host,
                methods,
                median(ok.stream().map(Attempt::firstPacketMs).toList(), " ms"),
                median(
                        results.stream()
                                .map(Attempt::directMs)
                                .filter(d -> d >= 0)
                                .toList(),
                        " ms"),
                ok.isEmpty()
                        ? "—"
                        : String.format(
                                Locale.ROOT,
                                "%.0f Mbit/s",
                                ok.stream()
                                        .mapToDouble(Attempt::mbitPerSecond)
                                        .sorted()
                                        .toArray()[ok.size() / 2]),
                ok.size(),
                results.size());
    }

    private static String median(List<Long> values, String unit) {
        if (values.isEmpty()) {
            return "never";
        }
        List<Long> v = values.stream().sorted().toList();
        return v.get(v.size() / 2) + unit;
    }
}
