package io.nexodus.nexd.agent;

import io.nexodus.nexd.net.ExitRouting;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.peering.ExitNodePlan;
import io.nexodus.nexd.peering.PathOption;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.nexd.wg.BackendException;
import io.nexodus.nexd.wg.WireGuardBackend;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device's use of an exit node: the user's choice, the {@link ExitNodePlan} computed from the VPC's devices, the
 * mark on WireGuard's socket and the policy routing ({@link ExitRouting}). Driven by the {@link Reconciler}, under its
 * lock, on the agent loop's thread: {@link #replan} with every new device list, {@link #sync} after WireGuard's entries
 * were applied (so the exit node's entry carries {@code 0.0.0.0/0} before anything is routed to it, and loses it only
 * after the routing is gone). Only {@link #status()} is read by other threads.
 * <p>
 * Fail closed: once chosen, the routing stays whatever happens to the exit node (it leaves the VPC, goes silent, is
 * reached only through the WireGuard relay): the host's internet traffic is then dropped in the tunnel instead of
 * leaving through the local uplink, and the status says so. Only {@link #stop} (the user) and {@link #close} (nexd
 * stops) take the routing down.
 */
final class ExitNodeClient {
    private static final Logger log = LoggerFactory.getLogger(ExitNodeClient.class);

    /** The peers' paths as the reconciler knows them. */
    interface Paths {
        Optional<PathOption> active(String publicKey);

        boolean healthy(String publicKey, Instant now);
    }

    private final WireGuardBackend wg;
    private final ExitRouting routing;
    private final Set<InetAddress> fixedBypass = new LinkedHashSet<>();
    /** The user's choice; null = no exit node in use. */
    private String selector;
    /** Null until the VPC's devices are known. */
    private ExitNodePlan plan;

    private int fwmark;
    private volatile String status = "";

    ExitNodeClient(WireGuardBackend wg, ExitRouting routing, Collection<InetAddress> fixedBypass) {
        this.wg = wg;
        this.routing = routing;
        this.fixedBypass.addAll(fixedBypass);
    }

    void bypass(Collection<InetAddress> addresses) {
        fixedBypass.addAll(addresses);
    }

    /** Recomputes the plan from the VPC's devices (when an exit node is chosen). */
    void replan(String selfKey, Collection<PeerInfo> devices) {
        if (selector != null) {
            plan = ExitNodePlan.compute(selector, selfKey, devices, fixedBypass);
        }
    }

    /**
     * Chooses the exit node {@code newSelector}; with the devices known ({@code selfKey} not null) a choice that fits
     * none of them is refused (IllegalArgumentException) and nothing changes. Returns a line for the user.
     */
    String choose(String newSelector, String selfKey, Collection<PeerInfo> devices) {
        ExitNodePlan p = null;
        if (selfKey != null) {
            p = ExitNodePlan.compute(newSelector, selfKey, devices, fixedBypass);
            if (p.exitNode().isEmpty()) {
                throw new IllegalArgumentException(p.problem());
            }
        }
        selector = newSelector;
        plan = p;
        if (p == null) {
            return "exit node " + (newSelector.isEmpty() ? "(the VPC's only one)" : newSelector)
                    + " will be used once the VPC's devices are known";
        }
        PeerInfo e = p.exitNode().get();
        return "using exit node " + e.hostname() + " (" + Reconciler.shortKey(e.publicKey()) + ")";
    }

    /** Forgets the choice (the next {@link #sync} takes the routing down); whether one was in use. */
    boolean stop() {
        boolean was = selector != null;
        selector = null;
        plan = null;
        return was;
    }

    /** The peer whose WireGuard entry gets {@code 0.0.0.0/0}. */
    boolean carriesDefault(PeerInfo info) {
        return selector != null
                && plan != null
                && plan.exitNode()
                        .map(e -> e.publicKey().equals(info.publicKey()))
                        .orElse(false);
    }

    /** Makes the mark and the routing match the choice; {@code paths} may be null when no exit node is chosen. */
    void sync(Paths paths, Instant now) {
        if (selector == null) {
            if (routing.active()) {
                routing.close();
                log.info("exit node: no longer used, policy routing removed");
            }
            setMark(0);
            status = "";
            return;
        }
        if (!setMark(ExitRouting.MARK)) {
            status = "exit node: not used: WireGuard's packets cannot be marked (see the log)";
            return; // routing everything into the tunnel now would route the tunnel into itself
        }
        Set<String> bypass = plan == null ? Set.of() : plan.bypass();
        if (!routing.active() || !bypass.equals(routing.bypass())) {
            boolean first = !routing.active();
            try {
                routing.apply(bypass);
                if (first) {
                    log.info(
                            "exit node: IPv4 traffic routed through {} (table {}, {} addresses bypass it)",
                            plan == null ? selector : plan.describeChoice(),
                            ExitRouting.TABLE,
                            bypass.size());
                }
            } catch (NetConfigException e) {
                log.warn("exit node: cannot set the policy routing: {}", e.getMessage());
            }
        }
        status = describe(paths, now);
    }

    private boolean setMark(int mark) {
        if (fwmark == mark) {
            return true;
        }
        try {
            wg.setFwmark(mark);
            fwmark = mark;
            return true;
        } catch (BackendException e) {
            log.warn("exit node: cannot set WireGuard's fwmark {}: {}", mark, e.getMessage());
            return false;
        }
    }

    private String describe(Paths paths, Instant now) {
        String closed = "; failing closed: IPv4 internet traffic is dropped until it is back"
                + " (nexctl nexd exit-node disable restores the routing)";
        if (plan == null) {
            return "exit node: waiting for the VPC's devices";
        }
        if (plan.exitNode().isEmpty()) {
            return "exit node " + plan.describeChoice() + ": " + plan.problem() + closed;
        }
        PeerInfo e = plan.exitNode().get();
        String name = e.hostname() + " (" + Reconciler.shortKey(e.publicKey()) + ")";
        PathOption active = paths == null ? null : paths.active(e.publicKey()).orElse(null);
        if (active == null) {
            return "exit node: " + name + " has no path yet" + closed;
        }
        if (active.method() == PeeringMethod.VIA_RELAY) {
            return "exit node: " + name + " is reached only through the VPC's WireGuard relay, which does not carry"
                    + " exit traffic" + closed;
        }
        if (!paths.healthy(e.publicKey(), now)) {
            return "exit node: " + name + " does not answer (" + active.method().wireName() + ")" + closed;
        }
        return "exit node: " + name + " via " + active.method().wireName() + "; this host's IPv4 internet traffic"
                + " goes through it (" + routing.bypass().size() + " addresses bypass it)";
    }

    /** A status line; empty when no exit node is in use. Any thread. */
    String status() {
        return status;
    }

    /** nexd stops: the routing goes (the mark goes with WireGuard). */
    void close() {
        if (routing.active()) {
            routing.close();
        }
        status = "";
    }
}
