package io.nexodus.e2e.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A small internet built from network namespaces: an {@link InternetRouter}, public {@link LabHost}s, and LANs
 * behind {@link NatGateway}s. Nothing is created in the root namespace.
 * <p>
 * Build it with {@link #builder(Path)} (or {@link StandardLab}), share it across the tests of a class, call
 * {@link #reset()} between scenarios, and {@link #close()} it at the end: close stops every process and deletes every
 * namespace and per-node hosts file, also after a failure. A shutdown hook closes a lab the test forgot; namespaces
 * of a JVM that was killed are removed by the next run (testkit {@code Netns}, and {@code /etc/netns/nx<pid>-*}
 * here).
 */
public final class NatLab implements AutoCloseable {
    private final Path workDir;
    private final InternetRouter internet;
    private final Map<String, LabNode> nodes;
    private final Duration buildTime;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    NatLab(Path workDir, InternetRouter internet, Map<String, LabNode> nodes, Duration buildTime) {
        this.workDir = workDir;
        this.internet = internet;
        this.nodes = new LinkedHashMap<>(nodes);
        this.buildTime = buildTime;
        this.shutdownHook = new Thread(this::close, "natlab-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A builder whose lab keeps its logs and scripts in a fresh directory under {@code baseDir}. */
    public static NatLabBuilder builder(Path baseDir) {
        return new NatLabBuilder(baseDir);
    }

    /** Where this lab writes node logs, setup scripts and anything scenarios put in {@link LabNode#dir()}. */
    public Path workDir() {
        return workDir;
    }

    /** How long {@link NatLabBuilder#build()} took. */
    public Duration buildTime() {
        return buildTime;
    }

    public InternetRouter internet() {
        return internet;
    }

    /** Every node, the internet first, then in build order. */
    public List<LabNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public LabNode node(String name) {
        LabNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node '" + name + "' in this lab; nodes: " + nodes.keySet());
        }
        return n;
    }

    public LabHost host(String name) {
        if (node(name) instanceof LabHost h) {
            return h;
        }
        throw new IllegalArgumentException("'" + name + "' is not a host");
    }

    public NatGateway gateway(String name) {
        if (node(name) instanceof NatGateway g) {
            return g;
        }
        throw new IllegalArgumentException("'" + name + "' is not a NAT gateway");
    }

    public List<LabHost> hosts() {
        return nodes.values().stream()
                .filter(n -> n instanceof LabHost)
                .map(n -> (LabHost) n)
                .toList();
    }

    public List<NatGateway> gateways() {
        return nodes.values().stream()
                .filter(n -> n instanceof NatGateway)
                .map(n -> (NatGateway) n)
                .toList();
    }

    /** Adds {@code address names...} to the hosts file of every node. */
    public void addHostsEntryEverywhere(String address, String... names) {
        nodes.values().forEach(n -> n.addHostsEntry(address, names));
    }

    /** Stops every process started on any node, and anything else still running in the lab's namespaces. */
    public void stopProcesses() {
        parallel(nodes.values(), LabNode::stopProcesses);
    }

    /**
     * Returns the lab to the state right after the build, so a shared lab is honest for the next scenario: stops all
     * processes, then on every node restores links, addresses, routes, hosts file, NAT mapping and egress policy,
     * removes interfaces and nftables rules that scenarios added, and flushes the gateways' conntrack tables.
     */
    public void reset() {
        stopProcesses();
        resetNetwork();
    }

    /**
     * Like {@link #reset()} but leaves processes running: for a scenario class that keeps, say, the service up across
     * scenarios and restarts only the agents. Interfaces a running process created on a host are removed too.
     */
    public void resetNetwork() {
        parallel(nodes.values(), LabNode::restore);
    }

    /** A table of every node with its namespace and addresses. */
    public String describe() {
        StringBuilder sb = new StringBuilder("NAT lab in " + workDir + "\n");
        for (LabNode n : nodes.values()) {
            sb.append("  ")
                    .append(n.describeLine())
                    .append("   [")
                    .append(n.namespace())
                    .append("]\n");
        }
        return sb.toString();
    }

    /** Stops all processes, deletes all namespaces and hosts files. Idempotent; never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<LabNode> all = List.copyOf(nodes.values());
        try {
            parallel(all, LabNode::stopProcesses);
        } catch (RuntimeException e) {
            // keep going: deleting the namespace kills whatever is left
        }
        try {
            parallel(all, n -> n.netns().close());
        } catch (RuntimeException e) {
            // Netns.close is best effort itself; a leftover is removed by the next run's stale cleanup
        }
        all.forEach(n -> n.etc().delete());
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Runs {@code action} on every item on its own virtual thread and waits for all; the first failure is thrown
     * with the others suppressed.
     */
    static <T> void parallel(Collection<T> items, Consumer<T> action) {
        List<Thread> threads = new ArrayList<>();
        List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        for (T item : items) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    action.accept(item);
                } catch (RuntimeException | Error e) {
                    failures.add(e instanceof RuntimeException re ? re : new IllegalStateException(item + ": " + e, e));
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for lab operations", e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
