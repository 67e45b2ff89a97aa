package io.nexodus.bench.controlplane;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The control-plane benchmark: a real service process, N devices registered into one VPC, W
 * watch streams held open as the devices' agents hold them, then changes whose fan-out to every watcher is timed.
 * Every result is printed with a ratio against an anchor measured in the same run. {@code bench/scripts/control-plane.sh}
 * builds and runs it; {@code --help} explains the options and the phases.
 */
@Command(
        name = "control-plane",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 130,
        description = {
            "Control-plane benchmark: starts the Nexodus service as a separate JVM, registers N devices into one VPC through a",
            "registration key (C requests in flight), opens W watch streams as W of those devices (DT: token, ?public_key=, the",
            "watches nexd uses), waits for every initial list, then PATCHes one device's endpoints K times and times the arrival",
            "of each change at every watcher. Prints registrations/s, initial-sync time, fan-out p50/p99/max, service heap per",
            "device and per watcher (live heap after a full GC, via jcmd) and RSS, each with a ratio against an anchor from the",
            "same run: a no-op authenticated GET rate, a single watcher's list and fan-out, the idle service.",
            ""
        })
public final class ControlPlaneBench implements Callable<Integer> {
    @Option(
            names = "--devices",
            paramLabel = "N",
            description = "Devices registered into the VPC (default ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    int devices;

    @Option(
            names = "--watchers",
            paramLabel = "W",
            description = "Open watch streams, one per device (default: N; at most N).")
    Integer watchers;

    @Option(
            names = "--db",
            paramLabel = "h2|postgres",
            description = "Embedded H2 file, or a throw-away PostgreSQL 15 started for the run "
                    + "(default ${DEFAULT-VALUE}).",
            defaultValue = "h2")
    String db;

    @Option(
            names = "--changes",
            paramLabel = "K",
            description = "Changes timed with one watcher and with W watchers (default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int changes;

    @Option(
            names = "--concurrency",
            paramLabel = "C",
            description = "Registration requests in flight (default ${DEFAULT-VALUE}).",
            defaultValue = "32")
    int concurrency;

    @Option(
            names = "--open-parallel",
            paramLabel = "P",
            description = "Watch streams connecting at the same time (default: all at once).")
    Integer openParallel;

    @Option(
            names = "--service-jvm",
            paramLabel = "OPTS",
            description = "JVM options of the service process (default '${DEFAULT-VALUE}').",
            defaultValue = "-Xmx1g -XX:+UseG1GC")
    String serviceJvm;

    @Option(
            names = "--service-classpath",
            paramLabel = "CP",
            description = "Class path of the service (default: this JVM's class path).")
    String serviceClasspath;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Service data, logs and heap histograms (default: a new temp dir, "
                    + "deleted at the end unless --keep).")
    Path workDir;

    @Option(names = "--keep", description = "Keep the work directory.")
    boolean keep;

    @Option(
            names = "--heap-detail",
            description = "Also print the classes whose live heap grew most per device and per watcher.")
    boolean heapDetail;

    @Option(
            names = "--profile",
            description = "Record each measured phase of the service with JDK Flight Recorder (<work dir>/<phase>.jfr; "
                    + "read with 'jfr view hot-methods FILE'). Implies --keep.")
    boolean profile;

    @Option(
            names = "--heap-dump",
            description = "Write an HPROF heap dump of the service with all streams open (<work dir>/streams.hprof). "
                    + "Implies --keep.")
    boolean heapDump;

    @Option(
            names = "--pause-ms",
            paramLabel = "MS",
            description = "Pause between changes (default ${DEFAULT-VALUE}).",
            defaultValue = "500")
    long pauseMs;

    private static final String LOCK_WORK = "nexodus_db_revision_lock_work_seconds_total";
    private static final String LOCK_COMMIT = "nexodus_db_revision_lock_commit_seconds_total";
    private static final String LOCK_WAIT = "nexodus_db_revision_lock_wait_seconds_total";

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ControlPlaneBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        int w = watchers == null ? devices : watchers;
        if (devices < 1 || w < 1 || w > devices) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need 1 <= watchers <= devices");
        }
        if (!db.equals("h2") && !db.equals("postgres")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--db is h2 or postgres");
        }
        int parallel = openParallel == null ? w : openParallel;
        boolean tempDir = workDir == null;
        if (profile || heapDump) {
            keep = true;
        }
        Path dir = tempDir ? Files.createTempDirectory("nexodus-cp-bench-") : Files.createDirectories(workDir);
        String dbUrl = null, dbUser = null;
        if (db.equals("postgres")) {
            progress("starting PostgreSQL 15 (throw-away cluster)");
            dbUrl = Postgres.get().newDatabase();
            dbUser = "postgres";
        }
        List<String> jvm = Arrays.asList(serviceJvm.trim().split("\\s+"));
        String cp = serviceClasspath != null ? serviceClasspath : System.getProperty("java.class.path");
        header(w, parallel, jvm);
        progress("starting the service");
        try (ServiceProcess service = ServiceProcess.start(dir, jvm, cp, dbUrl, dbUser)) {
            run(service, w, parallel);
        } finally {
            if (tempDir && !keep) {
                deleteTree(dir);
            } else {
                out.println("work directory (service log, heap histograms): " + dir);
            }
        }
        return 0;
    }

    private void header(int w, int parallel, List<String> jvm) throws IOException {
        out.println("== Nexodus control-plane benchmark, "
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC)));
        out.printf(
                "machine: %d CPUs (%s), %s RAM, load average %s, Java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                memTotal(),
                loadAverage(),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
        out.printf(
                "setup:   %d devices in one VPC (%s), %d watch streams (%d watches each, as nexd), %d changes, %d registrations in flight, "
                        + "%d streams connecting at once%n",
                devices, db, w, Watchers.watchesPerStream(), changes, concurrency, parallel);
        out.println("service: separate JVM, flags " + String.join(" ", jvm) + "; load generator: this JVM, flags "
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        out.flush();
    }

    private void run(ServiceProcess service, int w, int parallel) throws Exception {
        NexodusClient anon = NexodusClient.builder(service.url())
                .requestTimeout(Duration.ofMinutes(2))
                .build();
        String jwt = OidcClient.discover(anon)
                .passwordGrant("admin", ServiceProcess.ADMIN_PASSWORD)
                .accessToken();
        NexodusClient admin = anon.withToken(() -> jwt);
        UUID org = admin.users().me().id();
        Vpc vpc = admin.vpcs().create(new AddVpc(org, "control-plane benchmark", true, "10.128.0.0/9", null));
        String rk = admin.regKeys()
                .create(new AddRegKey(vpc.id(), null, "control-plane benchmark", false, null, null, null))
                .bearerToken();
        NexodusClient viaKey = anon.withToken(() -> rk);
        Registrar registrar = new Registrar(viaKey, vpc.id(), concurrency);

        // warm-up (JIT of the request path on both sides), then the idle service
        registrar.noOpGets(Math.min(500, devices));
        ServiceProcess.Heap heapIdle = service.heap("0-idle");
        Thread.sleep(1000); // G1 gives memory back to the OS shortly after a full GC, concurrently
        long rssIdle = service.rssBytes(), committedIdle = service.committedHeapBytes();

        progress("anchor: " + devices + " no-op authenticated GETs (GET /api/reg-keys/me with the RK:)");
        Phase getPhase = Phase.start(service, profile ? "get" : null);
        Registrar.Run gets = registrar.noOpGets(devices);
        getPhase.end();

        progress("generating " + devices + " WireGuard key pairs");
        List<BenchDevice> fleet = Registrar.newDevices(devices);
        progress("registering " + devices + " devices");
        ServiceMetrics m0 = ServiceMetrics.scrape(anon);
        Phase regPhase = Phase.start(service, profile ? "register" : null);
        Registrar.Run regs = registrar.register(fleet);
        regPhase.end();
        ServiceMetrics m1 = ServiceMetrics.scrape(anon);
        double lockWork = m1.value(LOCK_WORK) - m0.value(LOCK_WORK),
                lockCommit = m1.value(LOCK_COMMIT) - m0.value(LOCK_COMMIT);
        double lockWait = m1.value(LOCK_WAIT) - m0.value(LOCK_WAIT);
        if (regs.errors() > 0) {
            throw new IllegalStateException(regs.errors() + " registrations failed, first: " + regs.firstError());
        }
        ServiceProcess.Heap heapDevices = service.heap("1-devices");

        InetSocketAddress addr = new InetSocketAddress(
                InetAddress.ofLiteral("127.0.0.1"), service.url().getPort());
        Watchers streams = new Watchers(addr, vpc.id(), w, 2 * changes);
        int connectTimeoutMs = 10_000;
        try {
            progress("anchor: one watcher (initial list of " + devices + " devices, then " + changes + " changes)");
            long t1 = System.nanoTime();
            streams.open(fleet.subList(0, 1), 1, connectTimeoutMs);
            if (!streams.awaitSynced(1, 120_000)) {
                throw new IllegalStateException("the first watcher did not sync: " + streams.failures());
            }
            long oneSync = streams.clients().get(0).syncedNanos() - t1;
            ServiceProcess.Heap heapOne = service.heap("2-one-watcher");
            FanOut one = fanOut(anon, streams, fleet, 0, 1);

            progress("opening " + (w - 1) + " more watch streams (" + parallel + " connecting at once)");
            Phase syncPhase = Phase.start(service, profile ? "sync" : null);
            long tn = System.nanoTime();
            streams.open(fleet.subList(1, w), parallel, connectTimeoutMs);
            long startedAll = System.nanoTime();
            boolean allSynced = streams.awaitSynced(w, 1_800_000);
            long allSync = System.nanoTime() - tn;
            syncPhase.end();
            if (!allSynced) {
                throw new IllegalStateException("only " + streams.syncedCount() + " of " + w + " streams synced ("
                        + streams.failedCount() + " failed): " + streams.failures());
            }
            long[] perStreamSync = streams.clients().stream()
                    .skip(1)
                    .mapToLong(c -> c.syncedNanos() - c.startNanos())
                    .toArray();
            long shortLists = streams.clients().stream()
                    .filter(c -> c.deviceEventsAtSync() != devices)
                    .count();
            long retried = streams.clients().stream()
                    .filter(c -> c.connectAttempts() > 1)
                    .count();
            ServiceProcess.Heap heapAll = service.heap("3-all-watchers");
            Thread.sleep(1000);
            long rssAll = service.rssBytes(), committedAll = service.committedHeapBytes();
            int threads = service.threads();
            if (heapDump) {
                progress("heap dump: " + service.heapDump("streams"));
            }

            progress(changes + " changes with " + w + " watchers");
            Phase fanPhase = Phase.start(service, profile ? "fanout" : null);
            FanOut all = fanOut(anon, streams, fleet, changes, w);
            fanPhase.end();

            // ---- results ----
            out.println();
            out.println("== results (ratio = against the anchor measured in this run)");
            Latencies regLat = Latencies.ofNanos(regs.latencies());
            out.printf(
                    "registrations:   %.0f/s (%d devices, %d in flight; request %s)%n",
                    regs.perSecond(), devices, concurrency, regLat.describe());
            out.printf(
                    "  anchor:        no-op authenticated GET %.0f/s (same clients and token) -> registrations = %.2fx the GET rate%n",
                    gets.perSecond(), regs.perSecond() / gets.perSecond());
            out.printf(
                    "  service CPU:   %.2f ms per registration, %.2f ms per GET; load generator CPU %.2f / %.2f ms%n",
                    regPhase.serviceCpuMs() / devices,
                    getPhase.serviceCpuMs() / devices,
                    regPhase.selfCpuMs() / devices,
                    getPhase.selfCpuMs() / devices);
            double regSeconds = regs.wallNanos() / 1e9;
            out.printf(
                    "  revision lock: per registration %.2f ms locked work + %.2f ms commit (%.0f%% + %.0f%% of the phase); %.1f ms waiting for it%n",
                    lockWork * 1000 / devices,
                    lockCommit * 1000 / devices,
                    100 * lockWork / regSeconds,
                    100 * lockCommit / regSeconds,
                    lockWait * 1000 / devices);
            double events = (double) (w - 1) * devices;
            out.printf(
                    "initial sync:    %.1f s until %d more watchers each had all %d devices (%.0f events, %.0f events/s; the last stream "
                            + "began connecting at %.1f s; per stream %s)%n",
                    allSync / 1e9,
                    w - 1,
                    devices,
                    events,
                    events / (allSync / 1e9),
                    (startedAll - tn) / 1e9,
                    Latencies.ofNanos(perStreamSync).describe());
            double oneRate = devices / (oneSync / 1e9);
            out.printf(
                    "  anchor:        one watcher alone got its list of %d in %s ms (%.0f events/s) -> all together delivered %.0fx that rate%n",
                    devices, Latencies.fmt(oneSync / 1e6), oneRate, events / (allSync / 1e9) / oneRate);
            out.printf(
                    "  service CPU:   %.1f s (%.1f us per event); load generator CPU %.1f s; streams with a short list: %d; reconnects: %d%n",
                    syncPhase.serviceCpuMs() / 1000,
                    syncPhase.serviceCpuMs() * 1000 / events,
                    syncPhase.selfCpuMs() / 1000,
                    shortLists,
                    retried);
            out.printf(
                    "fan-out (%5d): %s; per change, last watcher: median %s ms%n",
                    w, all.fromRequest.describe(), Latencies.fmt(all.medianCompletionNanos / 1e6));
            out.printf("  from response: %s%n", all.fromResponse.describe());
            out.printf(
                    "  anchor (1):    %s -> p50 %.1fx, p99 %.1fx the single-watcher latency%n",
                    one.fromRequest.describe(),
                    all.fromRequest.p50Ms() / one.fromRequest.p50Ms(),
                    all.fromRequest.p99Ms() / one.fromRequest.p99Ms());
            out.printf(
                    "  PATCH request: %s (W watchers) vs %s (1 watcher); missed: %d; service CPU %.1f ms per change, load generator %.1f ms%n",
                    all.patch.describe(),
                    one.patch.describe(),
                    all.missed,
                    fanPhase.serviceCpuMs() / changes,
                    fanPhase.selfCpuMs() / changes);
            long perDevice = (heapOne.liveBytes() - heapIdle.liveBytes()) / devices;
            long perWatcher = w > 1 ? (heapAll.liveBytes() - heapOne.liveBytes()) / (w - 1) : 0;
            int lineBytes = eventLineBytes(admin, fleet.get(0));
            out.printf(
                    "heap per device: %s (live heap after full GC: idle %s -> %d devices with one watcher's feed loaded %s)%n",
                    kb(perDevice), mb(heapIdle.liveBytes()), devices, mb(heapOne.liveBytes()));
            out.printf(
                    "  anchor:        its event line is %d bytes -> %.1fx; without a feed (devices only): %s per device%n",
                    lineBytes,
                    perDevice / (double) lineBytes,
                    kb((heapDevices.liveBytes() - heapIdle.liveBytes()) / devices));
            out.printf("heap per watch:  %s (%s with %d streams open)%n", kb(perWatcher), mb(heapAll.liveBytes()), w);
            out.printf(
                    "  anchor:        the idle service's whole live heap is %s -> one stream = %.3f%% of it; all streams = %.1fx it%n",
                    mb(heapIdle.liveBytes()),
                    100.0 * perWatcher / heapIdle.liveBytes(),
                    (heapAll.liveBytes() - heapOne.liveBytes()) / (double) heapIdle.liveBytes());
            out.printf(
                    "service RSS:     %s with %d streams, %d threads (Java heap committed %s, live %s); idle %s (heap committed %s) -> %.1fx%n",
                    mb(rssAll),
                    w,
                    threads,
                    mb(committedAll),
                    mb(heapAll.liveBytes()),
                    mb(rssIdle),
                    mb(committedIdle),
                    rssAll / (double) rssIdle);
            if (heapDetail) {
                out.println("heap growth per device (idle -> one watcher):");
                heapOne.topGrowth(heapIdle, 12, devices).forEach(s -> out.println("  " + s));
                if (w > 1) {
                    out.println("heap growth per watch stream:");
                    heapAll.topGrowth(heapOne, 12, w - 1).forEach(s -> out.println("  " + s));
                }
            }
            out.println("load average at the end: " + loadAverage());
        } finally {
            streams.closeAll();
        }
    }

    /** Fan-out of a series of changes: delays from the PATCH request and from its response to each watcher. */
    private record FanOut(
            Latencies fromRequest, Latencies fromResponse, Latencies patch, long medianCompletionNanos, int missed) {}

    private FanOut fanOut(NexodusClient anon, Watchers streams, List<BenchDevice> fleet, int firstChange, int nWatchers)
            throws InterruptedException {
        List<long[]> fromReq = new ArrayList<>(), fromResp = new ArrayList<>();
        long[] patch = new long[changes];
        long[] completion = new long[changes];
        int missed = 0;
        for (int k = 0; k < changes; k++) {
            int change = firstChange + k;
            BenchDevice d = fleet.get((int) ((change * 7919L + 1) % fleet.size()));
            NexodusClient asDevice = anon.withToken(() -> d.token); // the device reports its new endpoints itself
            long t0 = System.nanoTime();
            asDevice.devices().update(d.id, UpdateDevice.empty().withEndpoints(d.endpointsAfterChange(change)));
            long t1 = System.nanoTime();
            int got = streams.awaitChange(change, nWatchers, 60_000);
            missed += nWatchers - got;
            long[] a = streams.delays(change, nWatchers, t0);
            fromReq.add(a);
            fromResp.add(streams.delays(change, nWatchers, t1));
            patch[k] = t1 - t0;
            completion[k] = a.length == 0 ? 0 : LongStream.of(a).max().orElse(0);
            Thread.sleep(pauseMs);
        }
        return new FanOut(
                Latencies.ofNanos(concat(fromReq)),
                Latencies.ofNanos(concat(fromResp)),
                Latencies.ofNanos(patch),
                median(completion),
                missed);
    }

    private static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(LongStream::of).toArray();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? 0 : Latencies.rank(s, 0.5);
    }

    /** Size of one device's watch event line as the service streams it ({"kind":"device","type":"change","value":…}). */
    private static int eventLineBytes(NexodusClient admin, BenchDevice d) throws IOException {
        var device = admin.devices().get(d.id);
        return Json.mapper()
                        .writeValueAsBytes(
                                new WatchEvent("device", "change", Json.mapper().valueToTree(device)))
                        .length
                + 1;
    }

    /** CPU time of the service and of this JVM over one phase. */
    private static final class Phase {
        private final ServiceProcess service;
        private final String recording;
        private final Duration serviceStart, selfStart;
        private Duration serviceCpu, selfCpu;

        private Phase(ServiceProcess service, String recording) {
            this.service = service;
            this.recording = recording;
            if (recording != null) {
                service.startProfile(recording);
            }
            this.serviceStart = service.cpu();
            this.selfStart = ProcCpu.self();
        }

        /** {@code recording} non-null: also record the phase with JFR under that name. */
        static Phase start(ServiceProcess service, String recording) {
            return new Phase(service, recording);
        }

        void end() {
            serviceCpu = service.cpu().minus(serviceStart);
            selfCpu = ProcCpu.self().minus(selfStart);
            if (recording != null) {
                service.stopProfile(recording);
            }
        }

        double serviceCpuMs() {
            return serviceCpu.toNanos() / 1e6;
        }

        double selfCpuMs() {
            return selfCpu.toNanos() / 1e6;
        }
    }

    private void progress(String s) {
        System.err.printf("[%s] %s%n", LocalTime.now(ZoneId.systemDefault()).withNano(0), s);
    }

    private static String kb(long bytes) {
        return String.format("%.1f KB", bytes / 1024.0);
    }

    private static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1048576.0);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format("%.0f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) {
        try {
            WorkDirs.delete(dir);
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
