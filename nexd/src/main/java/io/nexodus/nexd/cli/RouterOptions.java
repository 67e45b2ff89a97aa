package io.nexodus.nexd.cli;

import io.nexodus.nexd.agent.RouterConfig;
import io.nexodus.nexd.peering.Cidrs;
import io.nexodus.nexd.peering.PeerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code nexd router}'s own flags, upstream's names and variables: {@code --advertise-cidr} (upstream's older name
 * {@code --child-prefix} is accepted, hidden, as upstream keeps it), {@code --network-router}, {@code --disable-nat}, {@code --exit-node}.
 * {@link #toRouter} checks them together.
 */
final class RouterOptions {
    @Option(
            names = "--advertise-cidr",
            paramLabel = "CIDR",
            split = ",",
            defaultValue = "${env:NEXD_REQUESTED_ADVERTISE_CIDR}",
            description = {
                "A network (IPv4 or IPv6 CIDR) this device advertises to the VPC: every peer routes it through this"
                        + " device. Repeat it, or separate with commas (env NEXD_REQUESTED_ADVERTISE_CIDR).",
                "The service refuses a network that overlaps the VPC's tunnel prefix or another device's."
            })
    List<String> advertiseCidrs;

    @Option(
            names = "--child-prefix",
            paramLabel = "CIDR",
            split = ",",
            hidden = true,
            defaultValue = "${env:NEXD_REQUESTED_CHILD_PREFIX}",
            description = "Upstream's older name of --advertise-cidr.")
    List<String> childPrefixes;

    @Option(
            names = "--network-router",
            defaultValue = "${env:NEXD_NET_ROUTER_NODE:-false}",
            description = "Forward mesh traffic to the advertised networks: turns on IP forwarding in this host's"
                    + " network namespace and installs nftables table inet nexodus-router (removed on exit). Without"
                    + " it the networks are only advertised and this host must route them by other means"
                    + " (env NEXD_NET_ROUTER_NODE).")
    boolean networkRouter;

    @Option(
            names = "--disable-nat",
            defaultValue = "${env:NEXD_DISABLE_NAT:-false}",
            description = "With --network-router: forward without source NAT. Mesh packets then reach the networks"
                    + " with their tunnel source address, so the networks' hosts (or their gateway) need a route to the"
                    + " VPC's prefix via this host. Default: source NAT to this host's address on the way out, the"
                    + " hosts need nothing (env NEXD_DISABLE_NAT).")
    boolean disableNat;

    @Option(
            names = "--exit-node",
            defaultValue = "${env:NEXD_EXIT_NODE:-false}",
            description = "Offer this device as an exit node: advertise 0.0.0.0/0, turn on IPv4 forwarding and forward"
                    + " the IPv4 traffic peers send into the tunnel for the internet, masqueraded out of this host's"
                    + " uplink (nftables table inet nexodus-router, removed on exit). Peers use it only after"
                    + " `nexctl nexd exit-node enable` or `nexd --exit-node-client`. IPv6 is not carried"
                    + " (env NEXD_EXIT_NODE).")
    boolean exitNode;

    /** The router's configuration; throws {@link IllegalArgumentException} with a message for people. */
    RouterConfig toRouter() {
        List<String> given = new ArrayList<>();
        for (List<String> l : Arrays.asList(advertiseCidrs, childPrefixes)) {
            if (l != null) {
                l.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(given::add);
            }
        }
        if (given.isEmpty() && !exitNode) {
            throw new IllegalArgumentException("nexd router needs at least one --advertise-cidr CIDR (the network it"
                    + " makes reachable), or --exit-node");
        }
        List<String> cidrs = new ArrayList<>();
        for (String g : given) {
            if (!g.contains("/")) {
                throw new IllegalArgumentException(
                        "--advertise-cidr " + g + " has no prefix length (write e.g. 192.168.1.0/24 or 10.0.0.5/32)");
            }
            String c = Cidrs.normalize(g)
                    .orElseThrow(() ->
                            new IllegalArgumentException("--advertise-cidr " + g + " is not an IPv4 or IPv6 CIDR"));
            if (Cidrs.isDefaultRoute(c)) {
                throw new IllegalArgumentException("--advertise-cidr " + g + ": a default route is not a network to"
                        + " advertise; an exit node is made with --exit-node (IPv4 only)");
            }
            for (String other : cidrs) {
                if (Cidrs.overlaps(c, other)) {
                    throw new IllegalArgumentException("--advertise-cidr " + g + " overlaps " + other);
                }
            }
            cidrs.add(c);
        }
        if (disableNat && !networkRouter) {
            throw new IllegalArgumentException("--disable-nat goes with --network-router (without it nexd forwards"
                    + " nothing, so there is no NAT to disable)");
        }
        if (exitNode) {
            cidrs.add(PeerInfo.EXIT_ROUTE); // what the service registers and peers look for
        }
        return new RouterConfig(cidrs, networkRouter, !disableNat, exitNode);
    }
}
