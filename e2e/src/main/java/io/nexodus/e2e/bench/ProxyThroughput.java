package io.nexodus.e2e.bench;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.e2e.scenario.LabAgent;
import io.nexodus.e2e.scenario.LabService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TCP throughput through {@code nexd proxy} against an ordinary {@code nexd} with its kernel TUN, in one run on a
 * small lab (service, pub-a, pub-b on one public segment): pub-a runs both an ordinary nexd and a proxy-mode nexd
 * (without capabilities), pub-b an ordinary nexd. Each sample is one checksummed transfer of {@code --mib} MiB
 * ({@code TransferTool}), in both directions:
 * <ul>
 *   <li>from pub-a: TUN mode to pub-b's tunnel address; proxy mode to 127.0.0.1 through an egress rule to the same
 *       server;</li>
 *   <li>to pub-a: from pub-b to the TUN device's tunnel address; proxy mode to the proxy's tunnel address through an
 *       ingress rule to 127.0.0.1 on pub-a, the same server.</li>
 * </ul>
 * Modes alternate (TUN, proxy, TUN, proxy, ...) so load on the machine hits both. Prints every sample, the medians
 * and the proxy/TUN ratio per direction. Not a test: numbers for docs/benchmarks.md.
 */
public final class ProxyThroughput {
    private static final int SERVER_A = 7500;
    private static final int SERVER_B = 7501;
    private static final int INGRESS = 7600;
    private static final int EGRESS = 7700;

    private ProxyThroughput() {}

    public static void main(String[] args) throws Exception {
        int runs = 3;
        long mib = 64;
        Path out = Path.of("target", "proxy-throughput");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("ProxyThroughput [--runs N] [--mib M] [--out DIR]: TCP throughput of nexd proxy"
                            + " vs nexd with a TUN, both directions, on a small NAT lab. Needs root.");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        long bytes = mib << 20;
        try (NatLab lab = NatLab.builder(out.resolve("lab"))
                        .publicHost("service", "203.0.113.10")
                        .publicHost("pub-a", "203.0.113.40")
                        .publicHost("pub-b", "203.0.113.41")
                        .build();
                LabService service = LabService.start(lab, lab.host("service"))) {
            NexodusClient admin = service.admin();
            Vpc vpc = admin.vpcs().create(new AddVpc(admin.users().me().id(), "proxy-bench", false, null, null));
            String rk = admin.regKeys()
                    .create(new AddRegKey(vpc.id(), null, "proxy-bench", false, null, null, null))
                    .bearerToken();
            LabHost a = lab.host("pub-a");
            LabHost b = lab.host("pub-b");
            a.startTransferServer(SERVER_A);
            b.startTransferServer(SERVER_B);
            LabAgent peer = LabAgent.on(b, service, rk).name("nexd-peer").start();
            LabAgent tun = LabAgent.on(a, service, rk).name("nexd-tun").start();
            peer.awaitRunning(Duration.ofSeconds(90));
            tun.awaitRunning(Duration.ofSeconds(90));
            String peerIp = peer.tunnelIp();
            LabAgent proxy = LabAgent.on(a, service, rk)
                    .name("nexd-proxy")
                    .withoutCapabilities()
                    .args(
                            "proxy",
                            "--ingress",
                            "tcp:" + INGRESS + ":127.0.0.1:" + SERVER_A,
                            "--egress",
                            "tcp:" + EGRESS + ":" + peerIp + ":" + SERVER_B)
                    .start();
            proxy.awaitRunning(Duration.ofSeconds(90));
            System.out.printf(
                    Locale.ROOT,
                    "peer %s, TUN device %s, proxy device %s; %d MiB per transfer, %d runs per mode%n",
                    peerIp,
                    tun.tunnelIp(),
                    proxy.tunnelIp(),
                    mib,
                    runs);

            // warm-up: both paths up (handshakes, JIT), not counted
            transfer(a, peerIp, SERVER_B, 8L << 20);
            transfer(a, "127.0.0.1", EGRESS, 8L << 20);
            transfer(b, tun.tunnelIp(), SERVER_A, 8L << 20);
            transfer(b, proxy.tunnelIp(), INGRESS, 8L << 20);

            Map<String, List<Double>> samples = new LinkedHashMap<>();
            for (int i = 1; i <= runs; i++) {
                sample(samples, "from pub-a, TUN", i, transfer(a, peerIp, SERVER_B, bytes));
                sample(samples, "from pub-a, proxy (egress)", i, transfer(a, "127.0.0.1", EGRESS, bytes));
                sample(samples, "to pub-a, TUN", i, transfer(b, tun.tunnelIp(), SERVER_A, bytes));
                sample(samples, "to pub-a, proxy (ingress)", i, transfer(b, proxy.tunnelIp(), INGRESS, bytes));
            }
            System.out.println();
            System.out.println("proxy status: " + proxy.ctl().status().message().replace("\n", " | "));
            System.out.println();
            System.out.printf(
                    Locale.ROOT, "%-30s %8s %8s %8s   (Mbit/s, %d runs)%n", "path", "median", "min", "max", runs);
            for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
                List<Double> v = e.getValue().stream().sorted().toList();
                System.out.printf(
                        Locale.ROOT, "%-30s %8.0f %8.0f %8.0f%n", e.getKey(), median(v), v.getFirst(), v.getLast());
            }
            for (String[] pair : new String[][] {
                {"from pub-a, proxy (egress)", "from pub-a, TUN"}, {"to pub-a, proxy (ingress)", "to pub-a, TUN"}
            }) {
                double ratio = median(sorted(samples.get(pair[0]))) / median(sorted(samples.get(pair[1])));
                System.out.printf(Locale.ROOT, "ratio %s / TUN (medians): %.2f%n", pair[0], ratio);
            }
            proxy.close();
            tun.close();
            peer.close();
        }
    }

    private static TransferResult transfer(LabHost from, String address, int port, long bytes) {
        TransferResult r = from.transfer(address, port, bytes, Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IllegalStateException(from.name() + " -> " + address + ":" + port + " failed: " + r.output());
        }
        return r;
    }

    private static void sample(Map<String, List<Double>> samples, String what, int run, TransferResult r) {
        double mbits = r.bytes() * 8.0 / 1e6 / Math.max(1, r.elapsed().toMillis()) * 1000;
        System.out.printf(
                Locale.ROOT,
                "run %d  %-30s %8.0f Mbit/s (%d ms)%n",
                run,
                what,
                mbits,
                r.elapsed().toMillis());
        samples.computeIfAbsent(what, k -> new ArrayList<>()).add(mbits);
    }

    private static List<Double> sorted(List<Double> v) {
        return v.stream().sorted().toList();
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
