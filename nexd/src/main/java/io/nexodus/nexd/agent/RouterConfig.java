package io.nexodus.nexd.agent;

import io.nexodus.nexd.peering.Cidrs;
import java.util.List;

/**
 * {@code nexd router}: the networks this device advertises to the VPC ({@code advertise_cidrs}; peers route them
 * through this device), whether it forwards them itself, and whether it is an exit node.
 *
 * @param advertiseCidrs normalized CIDRs, IPv4 and IPv6, none overlapping another but the default route; an exit node's
 *                       list holds {@code 0.0.0.0/0}; empty for every other mode
 * @param networkRouter  {@code --network-router}: forward mesh traffic to these networks (IP forwarding and an
 *                       nftables table in this network namespace); without it the prefixes are only advertised
 * @param nat            source-NAT forwarded mesh traffic to this host's address on the way out (the default), so the
 *                       networks' hosts need no route back to the VPC; false with {@code --disable-nat}
 * @param exitNode       {@code --exit-node}: advertise {@code 0.0.0.0/0}, forward the peers' internet traffic that
 *                       comes from the tunnel and masquerade it out of this host's uplink (always, whatever
 *                       {@code nat} says: tunnel addresses are not routable on the internet)
 */
public record RouterConfig(List<String> advertiseCidrs, boolean networkRouter, boolean nat, boolean exitNode) {
    /** Not a router: advertises nothing. */
    public static final RouterConfig NONE = new RouterConfig(List.of(), false, true, false);

    public RouterConfig {
        advertiseCidrs = List.copyOf(advertiseCidrs);
    }

    /** A subnet router that is not an exit node. */
    public RouterConfig(List<String> advertiseCidrs, boolean networkRouter, boolean nat) {
        this(advertiseCidrs, networkRouter, nat, false);
    }

    public boolean isRouter() {
        return !advertiseCidrs.isEmpty();
    }

    /** The advertised networks but the default route: what {@code --network-router} forwards. */
    public List<String> subnets() {
        return advertiseCidrs.stream().filter(c -> !Cidrs.isDefaultRoute(c)).toList();
    }

    /** For the status and the log: what this router does. */
    public String describe() {
        if (!isRouter()) {
            return "not a router";
        }
        String exit = exitNode
                ? "exit node: forwarding the peers' IPv4 internet traffic from the tunnel, masqueraded out of this"
                        + " host's uplink"
                : "";
        List<String> subnets = subnets();
        if (subnets.isEmpty()) {
            return exit;
        }
        String sub = "advertising " + String.join(", ", subnets)
                + (!networkRouter
                        ? " (advertised only: --network-router is off, this host routes them by its own means)"
                        : nat
                                ? " (forwarding, source NAT to this host's address)"
                                : " (forwarding without NAT: the networks need a route back to the VPC via this host)");
        return exit.isEmpty() ? sub : sub + "; " + exit;
    }
}
