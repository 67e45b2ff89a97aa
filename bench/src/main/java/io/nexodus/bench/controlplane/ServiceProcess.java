package io.nexodus.bench.controlplane;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service under test as a real process: {@code java <jvm options> -cp <class path> io.nexodus.server.Main serve}
 * on a free loopback port, with its own data directory, and the probes the benchmark reads from outside: live heap
 * after a full GC ({@code jcmd GC.class_histogram}), resident set size, CPU time and thread count ({@code /proc}).
 */
final class ServiceProcess implements AutoCloseable {
    static final String ADMIN_PASSWORD = "bench-admin-password";

    private final ChildProcess process;
    private final URI url;
    private final Path dir;
    private final List<String> command;

    private ServiceProcess(ChildProcess process, URI url, Path dir, List<String> command) {
        this.process = process;
        this.url = url;
        this.dir = dir;
        this.command = command;
    }

    /** Starts the service and waits until it serves. {@code dbUrl} null = the embedded H2 file in {@code dir}. */
    static ServiceProcess start(Path dir, List<String> jvmOptions, String classPath, String dbUrl, String dbUser) {
        int port = FreePorts.tcp();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp",
                classPath,
                "io.nexodus.server.Main",
                "serve",
                "--listen",
                "127.0.0.1:" + port,
                "--data-dir",
                dir.resolve("data").toString(),
                "--admin-password",
                ADMIN_PASSWORD,
                "--stun-ports",
                FreePorts.udp() + "," + FreePorts.udp()));
        if (dbUrl != null) {
            cmd.addAll(List.of("--db-url", dbUrl));
        }
        if (dbUser != null) {
            cmd.addAll(List.of("--db-user", dbUser));
        }
        ChildProcess p = ChildProcess.start(dir.resolve("service.log"), cmd);
        try {
            p.awaitOutput("is serving http://", Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new ServiceProcess(p, URI.create("http://127.0.0.1:" + port), dir, cmd);
    }

    URI url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    List<String> command() {
        return command;
    }

    Path log() {
        return process.log();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** A class histogram of the live heap (jcmd forces a full GC first): total bytes and bytes per class. */
    record Heap(long liveBytes, Map<String, long[]> byClass) {
        /** Classes whose live bytes grew most from {@code before} to this, as "class: +bytes (+instances)". */
        List<String> topGrowth(Heap before, int n, int per) {
            List<Map.Entry<String, long[]>> grown = new ArrayList<>();
            for (var e : byClass.entrySet()) {
                long[] b = before.byClass.getOrDefault(e.getKey(), new long[2]);
                long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
                if (d[1] > 0) {
                    grown.add(Map.entry(e.getKey(), d));
                }
            }
            grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
            List<String> out = new ArrayList<>();
            for (var e : grown.subList(0, Math.min(n, grown.size()))) {
                out.add(String.format(
                        "%-60s %9.1f B/each %8.2f instances/each",
                        e.getKey(), e.getValue()[1] / (double) per, e.getValue()[0] / (double) per));
            }
            return out;
        }
    }

    /** Live heap after a full GC; the histogram is also saved as {@code heap-<label>.txt} in the work directory. */
    Heap heap(String label) {
        String out = jcmd("GC.class_histogram");
        try {
            Files.writeString(dir.resolve("heap-" + label + ".txt"), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, long[]> byClass = new HashMap<>();
        long total = -1;
        for (String line : out.split("\n", -1)) {
            String[] f = line.trim().split("\\s+", -1);
            if (f.length >= 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":")) {
                byClass.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])}, (a, b) ->
                        new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        if (total < 0) {
            throw new IllegalStateException("unexpected jcmd output:\n" + out);
        }
        return new Heap(total, byClass);
    }

    /** Writes an HPROF heap dump of the live objects to {@code <work dir>/<name>.hprof}. */
    Path heapDump(String name) {
        Path file = dir.resolve(name + ".hprof");
        jcmd("GC.heap_dump", file.toString());
        return file;
    }

    /** Starts a JDK Flight Recorder recording (profile settings) in the service; {@link #stopProfile} writes it. */
    void startProfile(String name) {
        jcmd("JFR.start", "name=" + name, "settings=profile");
    }

    /** Stops the recording and writes it to {@code <work dir>/<name>.jfr}; returns the file. */
    Path stopProfile(String name) {
        Path file = dir.resolve(name + ".jfr");
        jcmd("JFR.stop", "name=" + name, "filename=" + file);
        return file;
    }

    private String jcmd(String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            List<String> argv = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid())));
            argv.addAll(List.of(command));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(
                        "jcmd " + String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The committed size of the Java heap in bytes (what the GC has taken from the OS; part of the RSS). */
    long committedHeapBytes() {
        for (String line : jcmd("GC.heap_info").split("\n", -1)) {
            Matcher m = Pattern.compile("heap\\s+total (?:reserved \\d+K, committed )?(\\d+)K")
                    .matcher(line);
            if (m.find()) {
                return Long.parseLong(m.group(1)) * 1024;
            }
        }
        return -1;
    }

    /** Resident set size in bytes ({@code VmRSS}). */
    long rssBytes() {
        return statusField("VmRSS:") * 1024;
    }

    int threads() {
        return (int) statusField("Threads:");
    }

    private long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+", -1)[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(name + " not in /proc/" + pid() + "/status");
    }

    /** User + system CPU time of the whole process so far. */
    Duration cpu() {
        return ProcCpu.ofPid(pid());
    }

    String logTail(int lines) {
        String[] all = process.output().split("\n");
        return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** SIGTERM (graceful shutdown), SIGKILL after 10 s. */
    @Override
    public void close() {
        process.close();
    }
}
