package io.nexodus.e2e.lab;

import java.util.Objects;

/**
 * A NAT gateway to build: its name, what it hangs off ({@code null} = the internet, else another gateway's LAN),
 * its mapping and egress policy, and optionally fixed addresses ({@code null} = allocated by the lab).
 *
 * @param name       node name, {@code [a-z][a-z0-9-]{0,14}}
 * @param upstream   name of the gateway whose LAN this one's WAN joins (double NAT), or {@code null}
 * @param mapping    NAT mapping behaviour
 * @param egress     what may pass LAN to WAN
 * @param wanAddress fixed WAN address, or {@code null}
 * @param lanSubnet  LAN subnet in CIDR form (the gateway takes the first host address), or {@code null}
 */
public record GatewaySpec(
        String name, String upstream, NatMapping mapping, Egress egress, String wanAddress, String lanSubnet) {
    public GatewaySpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(egress, "egress");
    }

    /** A gateway on the internet with an open egress policy and allocated addresses. */
    public static GatewaySpec of(String name, NatMapping mapping) {
        return new GatewaySpec(name, null, mapping, Egress.OPEN, null, null);
    }

    /** Puts this gateway's WAN on {@code upstreamGateway}'s LAN (a NAT behind a NAT). */
    public GatewaySpec behind(String upstreamGateway) {
        return new GatewaySpec(name, upstreamGateway, mapping, egress, wanAddress, lanSubnet);
    }

    public GatewaySpec withEgress(Egress e) {
        return new GatewaySpec(name, upstream, mapping, e, wanAddress, lanSubnet);
    }

    public GatewaySpec withWanAddress(String address) {
        return new GatewaySpec(name, upstream, mapping, egress, address, lanSubnet);
    }

    public GatewaySpec withLan(String subnetCidr) {
        return new GatewaySpec(name, upstream, mapping, egress, wanAddress, subnetCidr);
    }
}
