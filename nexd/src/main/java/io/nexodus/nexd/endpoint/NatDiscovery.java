package io.nexodus.nexd.endpoint;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Finds our reflexive address and whether our NAT is symmetric, as upstream nexd does: ask two STUN servers (from the
 * WireGuard socket); if they saw different addresses, the NAT gives every destination its own mapping, so a peer
 * could never reach us at the address a STUN server reports. The two queries run at once; a server that does not
 * answer is replaced by the next one in the list.
 */
public final class NatDiscovery {
    private final ReflexiveProbe probe;
    private final List<InetSocketAddress> servers;

    public NatDiscovery(ReflexiveProbe probe, List<InetSocketAddress> servers) {
        this.probe = Objects.requireNonNull(probe);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one STUN server is needed");
        }
        this.servers = List.copyOf(servers);
    }

    public List<InetSocketAddress> servers() {
        return servers;
    }

    /** Runs the queries; never throws for network trouble (that is an observation without an address). */
    public NatObservation observe() throws InterruptedException {
        List<StunAnswer> answers = new ArrayList<>();
        List<StunAnswer> good = new ArrayList<>();
        int next = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            while (good.size() < 2 && next < servers.size()) {
                int want = Math.min(2 - good.size(), servers.size() - next);
                List<InetSocketAddress> asked = new ArrayList<>();
                List<Future<StunAnswer>> running = new ArrayList<>();
                for (int i = 0; i < want; i++) {
                    InetSocketAddress server = servers.get(next++);
                    asked.add(server);
                    running.add(pool.submit(() -> probe.query(server)));
                }
                for (int i = 0; i < running.size(); i++) {
                    StunAnswer a;
                    try {
                        a = running.get(i).get();
                    } catch (ExecutionException e) {
                        a = StunAnswer.failed(asked.get(i), "STUN query failed: " + e.getCause());
                    }
                    answers.add(a);
                    if (a.answered()) {
                        good.add(a);
                    }
                }
            }
        }
        if (good.isEmpty()) {
            return new NatObservation(Optional.empty(), "", true, answers);
        }
        StunAnswer first = good.get(0);
        boolean symmetric =
                good.size() >= 2 && !good.get(0).reflexive().equals(good.get(1).reflexive());
        return new NatObservation(first.reflexive(), Addresses.format(first.server()), symmetric, answers);
    }
}
