package io.nexodus.e2e.bench;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.scenario.LabAgent;
import io.nexodus.e2e.scenario.LabService;
import io.nexodus.e2e.scenario.PingProbe;
import io.nexodus.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast nexd is where a person notices, measured on the NAT lab with the real service:
 * <ul>
 *   <li>start → first packet with an existing peer, direct (pub-a → pub-b) and through the WireGuard relay
 *       (sym-a → pub-b): from launching the {@code nexd} process (JVM start included) to the first ICMP echo reply
 *       through the tunnel;</li>
 *   <li>recovery after a NAT mapping change (easy-a ↔ easy-b, easy1's port range switched and its conntrack
 *       flushed while a 50 ms ping runs): from the change to the first reply after it.</li>
 * </ul>
 * Each start is a fresh device (new key, registration), run three ways, interleaved so load on the machine hits all:
 * the default JVM; AppCDS (a dynamic archive recorded by one real start, {@code -XX:+AutoCreateSharedArchive}); and
 * the AOT cache {@code bin/nexd} uses (JDK 25, made by {@code io.nexodus.nexd.AotTraining}). Prints every sample, then
 * median/min/max and the ratios to the default. Not a test: numbers for the README.
 */
public final class NexdTimings {
    private static final Pattern RUNNING = Pattern.compile("running: .*\\((up \\d+ ms after JVM start: [^)]*)\\)");

    private NexdTimings() {}

    public static void main(String[] args) throws Exception {
        int runs = 5;
        Path out = Path.of("target", "nexd-timings");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println(
                            "NexdTimings [--runs N] [--out DIR]: nexd start-to-first-packet (direct, relayed)"
                                    + " and NAT-change recovery on the NAT lab. Needs root.");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        Path archive =
                out.toAbsolutePath().resolve("nexd-" + ProcessHandle.current().pid() + ".jsa");
        Path aot =
                out.toAbsolutePath().resolve("nexd-" + ProcessHandle.current().pid() + ".aot");
        try (NatLab lab = StandardLab.build(out.resolve("lab"));
                LabService service = LabService.start(lab, lab.host(StandardLab.SERVICE))) {
            NexodusClient admin = service.admin();
            Vpc vpc = admin.vpcs().create(new AddVpc(admin.users().me().id(), "timings", false, null, null));
            String rk = admin.regKeys()
                    .create(new AddRegKey(vpc.id(), null, "timings", false, null, null, null))
                    .bearerToken();
            List<LabAgent> fixed = new ArrayList<>();
            LabAgent relay = LabAgent.on(lab.host(StandardLab.RELAY), service, rk)
                    .relay()
                    .start();
            LabAgent peer =
                    LabAgent.on(lab.host(StandardLab.PUB_B), service, rk).start();
            fixed.add(relay);
            fixed.add(peer);
            relay.awaitRunning(Duration.ofSeconds(90));
            peer.awaitRunning(Duration.ofSeconds(90));
            String peerIp = peer.tunnelIp();

            // AppCDS: a dynamic archive recorded by one real nexd start (JDK 19+ -XX:+AutoCreateSharedArchive)
            System.out.println("recording the AppCDS archive with one nexd start (" + archive + ") ...");
            List<String> cds =
                    List.of("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off");
            LabAgent training = start(lab.host(StandardLab.PUB_A), service, rk, cds, "cds-training");
            training.awaitRunning(Duration.ofSeconds(90));
            training.close();
            // the AOT cache (JDK 25 JEP 483/514) as bin/nexd makes it: the io.nexodus.nexd.AotTraining run
            System.out.println("making the AOT cache with io.nexodus.nexd.AotTraining (" + aot + ") ...");
            List<String> argv = new ArrayList<>(List.of(JavaCommand.javaExecutable()));
            JavaCommand.DEFAULT_JVM_ARGS.stream()
                    .filter(a -> !a.startsWith("-Xshare"))
                    .forEach(argv::add);
            argv.addAll(List.of(
                    "-XX:AOTCacheOutput=" + aot,
                    "-Xlog:aot=off",
                    "-Xlog:cds=off",
                    "-cp",
                    JavaCommand.classPath(),
                    "io.nexodus.nexd.AotTraining"));
            Process p = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(out.resolve("aot-training.log").toFile())
                    .start();
            if (p.waitFor() != 0 || !Files.exists(aot)) {
                throw new IllegalStateException("the AOT training failed; see " + out.resolve("aot-training.log"));
            }
            Map<String, List<String>> variants = new LinkedHashMap<>();
            variants.put("default", List.of());
            variants.put("appcds", cds);
            variants.put("aot", List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));

            Map<String, List<Long>> samples = new LinkedHashMap<>();
            for (int i = 1; i <= runs; i++) {
                for (Map.Entry<String, List<String>> v : variants.entrySet()) {
                    String jvm = v.getKey();
                    long direct = firstPacket(
                            lab.host(StandardLab.PUB_A), service, rk, peerIp, v.getValue(), "direct-" + jvm + "-" + i);
                    samples.computeIfAbsent("first packet, direct (" + jvm + ")", k -> new ArrayList<>())
                            .add(direct);
                    long relayed = firstPacket(
                            lab.host(StandardLab.SYM_A), service, rk, peerIp, v.getValue(), "relayed-" + jvm + "-" + i);
                    samples.computeIfAbsent("first packet, via relay (" + jvm + ")", k -> new ArrayList<>())
                            .add(relayed);
                }
            }

            LabAgent ea = LabAgent.on(lab.host(StandardLab.EASY_A), service, rk).start();
            LabAgent eb = LabAgent.on(lab.host(StandardLab.EASY_B), service, rk).start();
            ea.awaitRunning(Duration.ofSeconds(90));
            eb.awaitRunning(Duration.ofSeconds(90));
            try (PingProbe ping = PingProbe.start(lab.host(StandardLab.EASY_A), eb.tunnelIp())) {
                if (ping.firstReplyAfter(Instant.now(), Duration.ofSeconds(60)).isEmpty()) {
                    throw new IllegalStateException("easy-a never reached easy-b");
                }
                for (int i = 1; i <= runs; i++) {
                    int base = i % 2 == 1 ? 20000 : 21000;
                    Thread.sleep(3000); // settle: the previous recovery's STUN and pushes are done
                    lab.gateway(StandardLab.EASY1).setMapping(NatMapping.easy().withPorts(base, base + 999));
                    lab.gateway(StandardLab.EASY1).flushConntrack();
                    Instant changed = Instant.now();
                    Instant back = ping.firstReplyAfter(changed.plusMillis(200), Duration.ofSeconds(60))
                            .orElseThrow(() -> new IllegalStateException("no recovery within 60 s"));
                    long ms = Duration.between(changed, back).toMillis();
                    System.out.printf(Locale.ROOT, "recovery after a NAT mapping change, run %d: %d ms%n", i, ms);
                    samples.computeIfAbsent("recovery after a NAT mapping change", k -> new ArrayList<>())
                            .add(ms);
                }
            }
            ea.close();
            eb.close();
            fixed.forEach(LabAgent::close);

            System.out.println();
            System.out.printf(
                    Locale.ROOT, "%-45s %8s %8s %8s   (%d runs, ms)%n", "measurement", "median", "min", "max", runs);
            for (Map.Entry<String, List<Long>> e : samples.entrySet()) {
                List<Long> v = e.getValue().stream().sorted().toList();
                System.out.printf(Locale.ROOT, "%-45s %8d %8d %8d%n", e.getKey(), median(v), v.getFirst(), v.getLast());
            }
            for (String kind : List.of("direct", "via relay")) {
                long d = median(sorted(samples.get("first packet, " + kind + " (default)")));
                for (String jvm : List.of("appcds", "aot")) {
                    long c = median(sorted(samples.get("first packet, " + kind + " (" + jvm + ")")));
                    System.out.printf(
                            Locale.ROOT, "%s / default, first packet %s (medians): %.2f%n", jvm, kind, (double) c / d);
                }
            }
        } finally {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(aot);
        }
    }

    private static LabAgent start(LabHost host, LabService service, String rk, List<String> jvmArgs, String name) {
        LabAgent.Builder b = LabAgent.on(host, service, rk).name("nexd-" + name);
        jvmArgs.forEach(b::jvmArg);
        return b.start();
    }

    /** Starts a fresh nexd on {@code host} and returns ms from the launch to the first echo reply from {@code peerIp}. */
    private static long firstPacket(
            LabHost host, LabService service, String rk, String peerIp, List<String> jvmArgs, String name) {
        ChildProcess probe = host.startJava("first-reply-" + name, JavaCommand.of(FirstReply.class, peerIp, "60"));
        probe.awaitOutput("^ready", Duration.ofSeconds(60));
        long t0 = System.currentTimeMillis();
        LabAgent a = start(host, service, rk, jvmArgs, name);
        try {
            probe.awaitOutput("^reply \\d+", Duration.ofSeconds(60));
            Matcher m = Pattern.compile("reply (\\d+)").matcher(probe.output());
            m.find();
            long ms = Long.parseLong(m.group(1)) - t0;
            a.awaitRunning(Duration.ofSeconds(30));
            Matcher r = RUNNING.matcher(a.process().output());
            System.out.printf(
                    Locale.ROOT, "%-22s first packet after %5d ms; nexd %s%n", name, ms, r.find() ? r.group(1) : "?");
            return ms;
        } finally {
            probe.close();
            a.close();
            try { // keep the VPC small: every run registers a new device
                String key = a.publicKey();
                service.admin().devices().list(ListOptions.NONE).items().stream()
                        .filter(d -> key.equals(d.publicKey()))
                        .forEach(d -> service.admin().devices().delete(d.id()));
            } catch (RuntimeException e) {
                System.out.println("(could not delete the run's device: " + e.getMessage() + ")");
            }
        }
    }

    private static List<Long> sorted(List<Long> v) {
        return v.stream().sorted().toList();
    }

    private static long median(List<Long> sorted) {
        return sorted.get(sorted.size() / 2);
    }
}
