package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.lab.TransferResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the NAT-lab scenario classes share: one standard lab with the real service for the whole class (docs/nat-lab.md,
 * "Sharing one topology"), the agents a scenario starts (with nexd's AOT cache when the class path allows it), the
 * reset after each scenario, VPCs with registration keys, checksummed transfers and polling.
 */
final class ScenarioLab implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(60);
    static final long MIB = 1 << 20;

    final NatLab lab;
    final LabService service;
    private final List<String> aot;
    private final int firstSinkPort;
    private final List<LabAgent> agents = new ArrayList<>();
    private final Map<LabAgent, Integer> sinks = new HashMap<>();
    private int nextSinkPort;

    private ScenarioLab(NatLab lab, LabService service, List<String> aot, int firstSinkPort) {
        this.lab = lab;
        this.service = service;
        this.aot = aot;
        this.firstSinkPort = firstSinkPort;
        this.nextSinkPort = firstSinkPort;
    }

    /** Builds the lab, starts the service and makes nexd's AOT cache meanwhile; transfer sinks use ports from {@code firstSinkPort}. */
    static ScenarioLab start(Path logs, int firstSinkPort) {
        return start(logs, firstSinkPort, 1);
    }

    /**
     * As {@link #start(Path, int)}, with the service as {@code replicas} replicas on PostgreSQL behind nginx when more
     * than one ({@link LabService#startReplicated}).
     */
    static ScenarioLab start(Path logs, int firstSinkPort, int replicas) {
        NatLab lab = StandardLab.build(logs);
        List<List<String>> aot = new ArrayList<>(List.of(List.of()));
        Thread cache = Thread.ofPlatform().start(() -> aot.set(0, NexdAotCache.create(Path.of("target", "natlab"))));
        LabService service;
        try {
            service = replicas > 1
                    ? LabService.startReplicated(lab, lab.host(SERVICE), replicas)
                    : LabService.start(lab, lab.host(SERVICE));
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        try {
            cache.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ScenarioLab(lab, service, aot.getFirst(), firstSinkPort);
    }

    /** After a scenario: its agents and every other process but the service stop, the network is as built. */
    void reset() {
        stopAgents();
        lab.resetNetwork();
        lab.addHostsEntryEverywhere(service.host().address(), LabService.HOST_NAME); // the reset restored hosts files
    }

    /**
     * After a scenario, without a network reset: its agents and every other process but the service stop; firewall
     * rules it added stay. For a replicated service, whose relays listen on addresses a reset would take away.
     */
    void stopAgents() {
        agents.forEach(LabAgent::close);
        agents.clear();
        sinks.clear();
        nextSinkPort = firstSinkPort;
        for (LabHost h : lab.hosts()) {
            if (!h.name().equals(SERVICE)) {
                h.stopProcesses();
            }
        }
    }

    @Override
    public void close() {
        service.close();
        lab.close();
    }

    /** A VPC of its own (shared address pool). */
    Vpc newVpcRecord(String name) {
        NexodusClient admin = service.admin();
        return admin.vpcs().create(new AddVpc(admin.users().me().id(), name, false, null, null));
    }

    /** A reusable registration key for {@code vpc}. */
    String regKey(Vpc vpc, String name) {
        return service.admin()
                .regKeys()
                .create(new AddRegKey(vpc.id(), null, name, false, null, null, null))
                .bearerToken();
    }

    /** A VPC of its own and a reusable registration key for it. */
    String newVpc(String name) {
        return regKey(newVpcRecord(name), name);
    }

    /** Starts {@code b} with the AOT cache; the agent is stopped by {@link #reset()}. */
    LabAgent start(LabAgent.Builder b) {
        aot.forEach(b::jvmArg);
        LabAgent a = b.start();
        agents.add(a);
        return a;
    }

    LabAgent agent(String host, String rk, String... args) {
        return start(LabAgent.on(lab.host(host), service, rk).args(args));
    }

    static void awaitRunning(LabAgent... as) {
        for (LabAgent a : as) {
            a.awaitRunning(START);
        }
    }

    /** A transfer server on {@code to}'s host (once per scenario); returns its port. */
    int sink(LabAgent to) {
        return sinks.computeIfAbsent(to, t -> {
            int port = nextSinkPort++;
            t.host().startTransferServer(port);
            return port;
        });
    }

    /** 1 MiB with checksum from {@code from}'s host to {@code to}'s tunnel address. */
    void assertTransfer(LabAgent from, LabAgent to) {
        TransferResult r = from.host().transfer(to.tunnelIp(), sink(to), MIB, Duration.ofSeconds(30));
        assertThat(r.ok()).as(from + " -> " + to + ": " + r.output()).isTrue();
    }

    static void awaitTrue(Duration max, String what, BooleanSupplier cond) {
        await(max, what, () -> cond.getAsBoolean() ? Optional.of(true) : Optional.empty());
    }

    /** Polls {@code probe} every 200 ms until it has a value; errors while polling count as "not yet". */
    static <T> T await(Duration max, String what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + max.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                Optional<T> v = probe.get();
                if (v.isPresent()) {
                    return v.get();
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        throw new AssertionError(
                "timed out after " + max + ": " + what + (last == null ? "" : " (last error: " + last + ")"));
    }
}
