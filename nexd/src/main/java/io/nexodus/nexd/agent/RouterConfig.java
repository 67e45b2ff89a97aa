package io.nexodus.nexd.agent;

import java.util.List;

/**
 * {@code nexd router}: the networks this device advertises to the VPC ({@code advertise_cidrs}; peers route them
 * through this device) and whether it forwards them itself.
 *
 * @param advertiseCidrs normalized CIDRs, IPv4 and IPv6, none overlapping another; empty for every other mode
 * @param networkRouter  {@code --network-router}: forward mesh traffic to these networks (IP forwarding and an
 *                       nftables table in this network namespace); without it the prefixes are only advertised
 * @param nat            source-NAT forwarded mesh traffic to this host's address on the way out (the default), so the
 *                       networks' hosts need no route back to the VPC; false with {@code --disable-nat}
 */
public record RouterConfig(List<String> advertiseCidrs, boolean networkRouter, boolean nat) {
    /** Not a router: advertises nothing. */
    public static final RouterConfig NONE = new RouterConfig(List.of(), false, true);

    public RouterConfig {
        advertiseCidrs = List.copyOf(advertiseCidrs);
    }

    public boolean isRouter() {
        return !advertiseCidrs.isEmpty();
    }

    /** For the status and the log: what this router does. */
    public String describe() {
        if (!isRouter()) {
            return "not a router";
        }
        return "advertising " + String.join(", ", advertiseCidrs)
                + (!networkRouter
                        ? " (advertised only: --network-router is off, this host routes them by its own means)"
                        : nat
                                ? " (forwarding, source NAT to this host's address)"
                                : " (forwarding without NAT: the networks need a route back to the VPC via this host)");
    }
}
