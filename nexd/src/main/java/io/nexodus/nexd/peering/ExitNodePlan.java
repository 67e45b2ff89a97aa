package io.nexodus.nexd.peering;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a device that uses an exit node needs, computed from the VPC's devices: which peer is the exit node (its
 * WireGuard entry then carries {@code 0.0.0.0/0}) and which IPv4 addresses must bypass the tunnel so it never carries
 * itself: every other device's endpoints (local and reflexive) and the fixed ones nexd talks to outside WireGuard (the
 * service, STUN servers, DERP relays, a resolver on the local network). Pure, for tests without root.
 *
 * @param selector what the user chose: a device's host name, id, public key or tunnel address; empty = the VPC's only
 *                 exit node
 * @param exitNode the chosen device, when it is in the VPC and offers itself as an exit node
 * @param problem  why there is none (empty when there is)
 * @param bypass   {@code a.b.c.d/32} CIDRs, sorted
 */
public record ExitNodePlan(String selector, Optional<PeerInfo> exitNode, String problem, SortedSet<String> bypass) {

    public ExitNodePlan {
        bypass = new TreeSet<>(bypass);
    }

    /**
     * Computes the plan.
     *
     * @param selector the user's choice ({@code ""}: the only exit node of the VPC)
     * @param selfKey  this device's public key (never chosen, never bypassed)
     * @param devices  the VPC's devices as the watch delivered them (onboarded DERP relays included)
     * @param fixed    addresses nexd reaches outside WireGuard; only IPv4 ones count (the exit route is IPv4)
     */
    public static ExitNodePlan compute(
            String selector, String selfKey, Collection<PeerInfo> devices, Collection<InetAddress> fixed) {
        SortedSet<String> bypass = new TreeSet<>();
        for (InetAddress a : fixed) {
            addV4(bypass, a);
        }
        List<PeerInfo> others = new ArrayList<>();
        for (PeerInfo p : devices) {
            if (p.publicKey() == null || p.publicKey().equals(selfKey)) {
                continue;
            }
            others.add(p);
            p.localEndpoint().map(InetSocketAddress::getAddress).ifPresent(a -> addV4(bypass, a));
            p.reflexiveEndpoint().map(InetSocketAddress::getAddress).ifPresent(a -> addV4(bypass, a));
        }
        Choice c = choose(selector, others);
        return new ExitNodePlan(selector, c.exitNode(), c.problem(), bypass);
    }

    private record Choice(Optional<PeerInfo> exitNode, String problem) {}

    private static Choice choose(String selector, List<PeerInfo> others) {
        List<PeerInfo> offering = others.stream().filter(PeerInfo::exitNode).toList();
        if (selector.isEmpty()) {
            if (offering.size() == 1) {
                return new Choice(Optional.of(offering.getFirst()), "");
            }
            return new Choice(
                    Optional.empty(),
                    offering.isEmpty()
                            ? "no device of the VPC offers itself as an exit node (nexd router --exit-node)"
                            : "the VPC has " + offering.size() + " exit nodes (" + names(offering) + "): name one");
        }
        List<PeerInfo> named = others.stream().filter(p -> matches(p, selector)).toList();
        if (named.isEmpty()) {
            return new Choice(Optional.empty(), "no device " + selector + " in the VPC");
        }
        List<PeerInfo> exits = named.stream().filter(PeerInfo::exitNode).toList();
        if (exits.size() == 1) {
            return new Choice(Optional.of(exits.getFirst()), "");
        }
        if (exits.size() > 1) {
            return new Choice(
                    Optional.empty(),
                    "several exit nodes are called " + selector + " (" + names(exits) + "): use"
                            + " a device id or public key");
        }
        return new Choice(
                Optional.empty(),
                "device " + selector + " does not offer itself as an exit node (it runs no nexd router --exit-node)");
    }

    /** Host name (case-insensitive), device id, public key or tunnel address. */
    static boolean matches(PeerInfo p, String selector) {
        String s = selector.strip();
        return s.equalsIgnoreCase(p.hostname())
                || s.equals(p.publicKey())
                || (p.deviceId() != null && s.equalsIgnoreCase(p.deviceId().toString()))
                || p.tunnelIps().contains(s);
    }

    private static String names(List<PeerInfo> ps) {
        return String.join(
                ", ",
                ps.stream()
                        .map(p -> p.hostname() + " "
                                + p.publicKey()
                                        .substring(0, Math.min(8, p.publicKey().length())))
                        .toList());
    }

    private static void addV4(SortedSet<String> out, InetAddress a) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isAnyLocalAddress() && !a.isMulticastAddress()) {
            out.add(a.getHostAddress() + "/32");
        }
    }

    /** For the status and the log. */
    public String describeChoice() {
        return selector.isEmpty() ? "the VPC's exit node" : selector;
    }
}
