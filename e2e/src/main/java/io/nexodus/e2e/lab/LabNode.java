package io.nexodus.e2e.lab;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A machine of the lab: one network namespace with its own name, hosts file, log directory and processes.
 * <p>
 * Everything started through a node ({@link #exec}, {@link #spawn}, {@link #startJava}) runs in the node's network
 * namespace, in a fresh UTS namespace whose host name is the node's name (so {@code hostname} and
 * {@code InetAddress.getLocalHost()} give e.g. "easy-a", resolved by the node's own hosts file), with
 * {@code /etc/hosts} replaced by the node's {@link #hostsFile()} and without DNS (a name missing from the hosts file
 * fails at once). The rest of the file system is shared with the machine: give each process its own state directory
 * and sockets under {@link #dir()} (e.g. nexd's {@code --state-dir} and {@code --unix-socket}).
 */
public abstract sealed class LabNode permits LabHost, NatGateway, InternetRouter {
    /** Sets the UTS host name to $0, then execs the command: {@code unshare --uts} keeps the pid. */
    private static final String SET_HOSTNAME = "printf %s \"$0\" > /proc/sys/kernel/hostname && exec \"$@\"";

    private final String name;
    private final Netns netns;
    private final Path dir;
    private final EtcOverlay etc;
    private final List<ChildProcess> processes = new CopyOnWriteArrayList<>();

    LabNode(String name, Netns netns, Path dir, String ownAddress) {
        this.name = name;
        this.netns = netns;
        this.dir = dir;
        this.etc = new EtcOverlay(netns.name(), name, ownAddress);
    }

    /** The node's name in the lab (also its host name). */
    public String name() {
        return name;
    }

    /** The network namespace's name ({@code nx<pid>-<name><n>}), for {@code ip netns exec}. */
    public String namespace() {
        return netns.name();
    }

    /** The testkit namespace, for raw access. */
    public Netns netns() {
        return netns;
    }

    /** This node's directory under the lab's work directory: logs, and the place for state dirs and sockets. */
    public Path dir() {
        return dir;
    }

    /** The argv that runs {@code argv} on this node (its namespace, its host name, its hosts file). */
    public List<String> wrap(List<String> argv) {
        List<String> full = new ArrayList<>(
                List.of("ip", "netns", "exec", netns.name(), "unshare", "--uts", "sh", "-c", SET_HOSTNAME, name));
        full.addAll(argv);
        return full;
    }

    /** Runs a command on this node to completion; throws with its output unless it exits 0. */
    public Cmd.Result exec(String... argv) {
        return tryExec(Cmd.DEFAULT_TIMEOUT, List.of(argv)).orThrow();
    }

    /** Runs a command on this node and returns whatever happened (exit 124 = timed out and killed). */
    public Cmd.Result tryExec(Duration timeout, String... argv) {
        return tryExec(timeout, List.of(argv));
    }

    public Cmd.Result tryExec(Duration timeout, List<String> argv) {
        return Cmd.tryRun(timeout, wrap(argv));
    }

    /**
     * Starts a long-running process on this node, logging to {@code dir()/<logName>.log} (a fresh file per process:
     * {@code <logName>-2.log} for the second one of that name, and so on). It is stopped by
     * {@link #stopProcesses()}, {@link NatLab#reset()} and {@link NatLab#close()}.
     */
    public ChildProcess spawn(String logName, List<String> argv) {
        return spawn(logName, Map.of(), argv);
    }

    public ChildProcess spawn(String logName, Map<String, String> env, List<String> argv) {
        if (!logName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("log name must be [A-Za-z0-9._-]+: " + logName);
        }
        ChildProcess p = ChildProcess.start(freshLog(logName), env, wrap(argv));
        processes.add(p);
        return p;
    }

    /**
     * {@code <logName>.log}, or {@code <logName>-2.log}, {@code -3} … if taken: a restarted process gets its own log,
     * so {@code awaitOutput} never matches what its predecessor printed.
     */
    private synchronized Path freshLog(String logName) {
        Path log = dir.resolve(logName + ".log");
        for (int n = 2; Files.exists(log); n++) {
            log = dir.resolve(logName + "-" + n + ".log");
        }
        try {
            Files.createDirectories(dir);
            Files.createFile(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + log, e);
        }
        return log;
    }

    /** Starts a Java main class of this project on this node with the current JDK and class path. */
    public ChildProcess startJava(String logName, JavaCommand command) {
        return spawn(logName, command.env(), command.argv());
    }

    /** Runs a Java main class of this project on this node to completion. */
    public Cmd.Result runJava(Duration timeout, JavaCommand command) {
        List<String> argv = new ArrayList<>();
        if (!command.env().isEmpty()) {
            argv.add("env");
            command.env().forEach((k, v) -> argv.add(k + "=" + v));
        }
        argv.addAll(command.argv());
        return tryExec(timeout, argv);
    }

    /** Processes started through this node that have not been stopped yet (some may have exited by themselves). */
    public List<ChildProcess> processes() {
        return List.copyOf(processes);
    }

    /** Stops every process started through this node (SIGTERM, then SIGKILL) and any other process in its namespace. */
    public void stopProcesses() {
        List<ChildProcess> mine = List.copyOf(processes);
        NatLab.parallel(mine, ChildProcess::close);
        processes.removeAll(mine);
        killStragglers();
    }

    void killStragglers() {
        for (int i = 0; i < 3; i++) {
            List<Long> pids = netns.pids();
            if (pids.isEmpty()) {
                return;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The node's IPv4 addresses as {@code a.b.c.d/prefix}, loopback excluded. */
    public List<String> addresses() {
        String out = netns.exec("ip", "-o", "-4", "addr", "show").stdout();
        List<String> result = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+", -1);
            // "2: eth0    inet 192.168.1.10/24 brd ... scope global eth0"
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet") && !f[1].equals("lo")) {
                    result.add(f[i + 1]);
                }
            }
        }
        return result;
    }

    /**
     * The source address the kernel picks for the default route (what an agent reports as its local endpoint),
     * or empty if the node has no default route.
     */
    public Optional<String> defaultRouteAddress() {
        Cmd.Result r = netns.tryExec("ip", "-o", "-4", "route", "get", "192.0.2.255");
        if (!r.ok()) {
            return Optional.empty();
        }
        String[] f = r.stdout().trim().split("\\s+", -1);
        for (int i = 0; i + 1 < f.length; i++) {
            if (f[i].equals("src")) {
                return Optional.of(f[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** Names of the node's network interfaces. */
    public List<String> links() {
        String out = netns.exec("ip", "-o", "link", "show").stdout();
        List<String> names = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split(":\\s+", 3);
            if (f.length >= 2) {
                String n = f[1];
                int at = n.indexOf('@');
                names.add(at >= 0 ? n.substring(0, at) : n);
            }
        }
        return names;
    }

    /** The hosts file that processes on this node see as {@code /etc/hosts}. */
    public Path hostsFile() {
        return etc.path();
    }

    /** Adds a line {@code address names...} to this node's hosts file (in place). */
    public void addHostsEntry(String address, String... names) {
        etc.add(address, names);
    }

    /** Removes every line of this node's hosts file that maps {@code name}. */
    public void removeHostsEntry(String name) {
        etc.remove(name);
    }

    /** The hosts file as processes on this node see it now. */
    public String hostsFileContent() {
        return etc.read();
    }

    EtcOverlay etc() {
        return etc;
    }

    /** Back to the network state right after the build (links, addresses, routes, rules, hosts file). */
    abstract void restore();

    /** The setup script that configures this node's namespace (run after its parent's). */
    abstract String setupScript();

    /** One line per address for {@link NatLab#describe()}. */
    abstract String describeLine();

    @Override
    public String toString() {
        return name + "(" + netns.name() + ")";
    }
}
