package io.nexodus.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux network namespace owned by this test JVM. Names are {@code nx<pid>-<tag>} so that concurrent test runs never
 * collide and a later run can delete namespaces left behind by a JVM that was killed (its pid is gone).
 * <p>
 * Nothing here touches the root namespace's interfaces or routes: veth pairs are created directly inside the two
 * namespaces they join. {@link #close()} stops every process started in the namespace and deletes it; a shutdown
 * hook does the same for namespaces a failing test did not close.
 */
public final class Netns implements AutoCloseable {
    private static final Pattern OWNED = Pattern.compile("^nx(\\d+)-\\S+");
    private static final Set<Netns> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static volatile boolean staleCleaned;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> List.copyOf(OPEN).forEach(Netns::close), "netns-cleanup"));
    }

    private final String name;
    private final List<ChildProcess> children = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace whose name contains {@code tag} (letters, digits, '-'), with {@code lo} up.
     * Requires root (see {@link RequiresNetns}).
     */
    public static Netns create(String tag) {
        if (!tag.matches("[A-Za-z0-9-]{1,24}")) {
            throw new IllegalArgumentException("netns tag must be 1-24 of [A-Za-z0-9-]: " + tag);
        }
        cleanupStaleOnce();
        String name = "nx" + ProcessHandle.current().pid() + "-" + tag + SEQ.incrementAndGet();
        Cmd.run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        OPEN.add(ns);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** The argv prefix that runs a command inside this namespace. */
    public List<String> wrap(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return full;
    }

    /** Runs a command in the namespace; throws with stderr if it fails. */
    public Cmd.Result exec(String... argv) {
        return Cmd.tryRun(Cmd.DEFAULT_TIMEOUT, wrap(List.of(argv))).orThrow();
    }

    /** Runs a command in the namespace and returns whatever happened. */
    public Cmd.Result tryExec(String... argv) {
        return Cmd.tryRun(Cmd.DEFAULT_TIMEOUT, wrap(List.of(argv)));
    }

    /** Runs a shell snippet ({@code sh -c}) in the namespace; throws if it fails. */
    public Cmd.Result sh(String script) {
        return exec("sh", "-c", script);
    }

    /** Starts a background process in the namespace; it is stopped when the namespace closes. */
    public ChildProcess spawn(Path log, List<String> argv) {
        return spawn(log, Map.of(), argv);
    }

    public ChildProcess spawn(Path log, Map<String, String> env, List<String> argv) {
        ChildProcess p = ChildProcess.start(log, env, wrap(argv));
        children.add(p);
        return p;
    }

    /** Sets a sysctl inside the namespace, e.g. {@code sysctl("net.ipv4.ip_forward", "1")}. */
    public void sysctl(String key, String value) {
        exec("sysctl", "-qw", key + "=" + value);
    }

    /**
     * Joins two namespaces with a veth pair: {@code ifA} in {@code a} with {@code cidrA} (e.g. "10.0.0.1/24"), and
     * {@code ifB} in {@code b} with {@code cidrB}. Either address may be null. Both ends are brought up.
     */
    public static void link(Netns a, String ifA, String cidrA, Netns b, String ifB, String cidrB) {
        Cmd.run("ip", "-n", a.name, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b.name);
        a.configure(ifA, cidrA);
        b.configure(ifB, cidrB);
    }

    private void configure(String ifName, String cidr) {
        if (cidr != null) {
            exec("ip", "addr", "add", cidr, "dev", ifName);
        }
        exec("ip", "link", "set", ifName, "up");
    }

    /** Pids of every process currently inside the namespace. */
    public List<Long> pids() {
        Cmd.Result r = Cmd.tryRun("ip", "netns", "pids", name);
        if (!r.ok()) {
            return List.of();
        }
        return r.stdout()
                .lines()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Long::parseLong)
                .toList();
    }

    /** Stops every process started in (or still living in) the namespace, then deletes it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (children) {
            children.forEach(ChildProcess::close);
        }
        killAllIn(name);
        Cmd.tryRun("ip", "netns", "del", name);
        OPEN.remove(this);
    }

    private static void killAllIn(String ns) {
        for (int i = 0; i < 3; i++) {
            Cmd.Result r = Cmd.tryRun("ip", "netns", "pids", ns);
            List<String> pids = r.ok()
                    ? r.stdout()
                            .lines()
                            .map(String::strip)
                            .filter(s -> !s.isEmpty())
                            .toList()
                    : List.of();
            if (pids.isEmpty()) {
                return;
            }
            pids.forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Deletes namespaces named nx&lt;pid&gt;-… whose owning JVM no longer runs (a killed earlier test run). */
    public static void cleanupStaleOnce() {
        if (staleCleaned) {
            return;
        }
        synchronized (Netns.class) {
            if (staleCleaned) {
                return;
            }
            staleCleaned = true;
            Cmd.Result r = Cmd.tryRun("ip", "netns", "list");
            if (!r.ok()) {
                return;
            }
            for (String line : r.stdout().lines().toList()) {
                String ns = line.strip().split("\\s+", -1)[0];
                Matcher m = OWNED.matcher(ns);
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    killAllIn(ns);
                    Cmd.tryRun("ip", "netns", "del", ns);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
