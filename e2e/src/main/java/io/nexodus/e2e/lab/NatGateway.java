package io.nexodus.e2e.lab;

import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A NAT gateway: its {@code wan} interface on the internet (or on another gateway's LAN, for double NAT), a
 * {@code lan} bridge with the hosts behind it, and nftables table {@code natlab} doing the translation
 * ({@link NatMapping}) and the filtering ({@link Egress}). It never hairpins: a LAN host that sends to the
 * gateway's public address reaches the gateway itself, not the other LAN host behind that mapping.
 */
public final class NatGateway extends LabNode {
    static final String WAN = "wan";
    static final String LAN = "lan";

    private final Uplink uplink;
    private final Segment lan;
    private final NatGateway upstream;
    private final NatMapping initialMapping;
    private final Egress initialEgress;
    private final List<LabNode> children = new ArrayList<>();
    private volatile NatMapping mapping;
    private volatile Egress egress;

    NatGateway(
            String name,
            Netns netns,
            Path dir,
            Uplink uplink,
            Segment lan,
            NatGateway upstream,
            NatMapping mapping,
            Egress egress) {
        super(name, netns, dir, uplink.address());
        this.uplink = uplink;
        this.lan = lan;
        this.upstream = upstream;
        this.initialMapping = mapping;
        this.initialEgress = egress;
        this.mapping = mapping;
        this.egress = egress;
    }

    /** The address of the {@code wan} interface (public, or private for the inner NAT of a double NAT). */
    public String wanAddress() {
        return uplink.address();
    }

    /** The address the internet sees: this gateway's WAN address, or its upstream's public address. */
    public String publicAddress() {
        return upstream == null ? wanAddress() : upstream.publicAddress();
    }

    /** The gateway's own address on its LAN (the hosts' default router). */
    public String lanAddress() {
        return Ipv4.format(lan.router());
    }

    public String lanSubnet() {
        return lan.subnet().toString();
    }

    /** The gateway whose LAN this one's WAN is on (double NAT); empty when on the internet. */
    public Optional<NatGateway> upstream() {
        return Optional.ofNullable(upstream);
    }

    /** Hosts and gateways on this gateway's LAN. */
    public List<LabNode> children() {
        return List.copyOf(children);
    }

    public NatMapping mapping() {
        return mapping;
    }

    public Egress egress() {
        return egress;
    }

    /**
     * Replaces the NAT rule in one nftables transaction. Flows already in conntrack keep their mapping; new flows
     * get the new behaviour. Follow with {@link #flushConntrack()} to remap running flows too.
     */
    public synchronized void setMapping(NatMapping m) {
        applyRuleset(m, egress);
        mapping = m;
    }

    /** Replaces the filter policy in one nftables transaction; it applies to running flows at once. */
    public synchronized void setEgress(Egress e) {
        applyRuleset(mapping, e);
        egress = e;
    }

    /**
     * Lets TCP from the LAN to {@code address:port} (and its replies) through this gateway's egress filter, ahead of
     * its own rules, until the next network reset; e.g. the lab's API port through the TCP-443-only firewall (a real
     * deployment serves the API on 443).
     */
    public synchronized void admitTcp(String address, int port) {
        insertForwardRule(LAN, WAN, "daddr", address, "dport", port, "accept");
        insertForwardRule(WAN, LAN, "saddr", address, "sport", port, "accept");
    }

    /**
     * Refuses new TCP connections from the LAN to {@code address:port} with a reset, ahead of every other rule, until
     * the next network reset: that one server is unreachable from this LAN only (a partial outage, a route that broke),
     * while the rest of the internet, and that server for everybody else, works.
     */
    public synchronized void refuseTcp(String address, int port) {
        insertForwardRule(LAN, WAN, "daddr", address, "dport", port, "reject", "with", "tcp", "reset");
    }

    /** Inserts a rule for TCP to or from {@code address:port} at the top of the forward chain. */
    private void insertForwardRule(
            String from,
            String to,
            String addressField,
            String address,
            String portField,
            int port,
            String... verdict) {
        List<String> argv = new ArrayList<>(List.of(
                "nft",
                "insert",
                "rule",
                "ip",
                "natlab",
                "forward",
                "iifname",
                from,
                "oifname",
                to,
                "ip",
                addressField,
                address,
                "tcp",
                portField,
                Integer.toString(port)));
        argv.addAll(List.of(verdict));
        netns().exec(argv.toArray(String[]::new));
    }

    /** Forgets every tracked flow ({@code conntrack -F}): the next packet of each flow is mapped afresh. */
    public synchronized void flushConntrack() {
        Cmd.Result r = netns().tryExec("conntrack", "-F");
        if (!r.ok() && !r.stderr().contains("emptied")) {
            r.orThrow();
        }
    }

    /** Translated TCP and UDP flows now in the gateway's conntrack table. */
    public List<NatEntry> natEntries() {
        Cmd.Result r = netns().tryExec("conntrack", "-L");
        if (!r.ok()) {
            r.orThrow();
        }
        return NatEntry.parse(r.stdout());
    }

    /** The mapping of a LAN host's source port, if conntrack has one (the first match). */
    public Optional<NatEntry> natEntry(String protocol, String lanAddress, int lanPort) {
        return natEntries().stream()
                .filter(e ->
                        e.protocol().equals(protocol) && e.lanAddress().equals(lanAddress) && e.lanPort() == lanPort)
                .findFirst();
    }

    /**
     * Moves the WAN to a new address of the same segment (the ISP renumbers the line), drops all tracked flows and
     * returns the new address. Mapping behaviour stays the same; every host behind sees a new reflexive address.
     */
    public synchronized String renumber() {
        int fresh = uplink.segment().allocate();
        String old = uplink.cidr();
        String cidr = Ipv4.format(fresh) + "/" + uplink.segment().subnet().prefix();
        Plumbing.run(
                this,
                "renumber.sh",
                "ip addr del " + old + " dev " + WAN + "\n"
                        + "ip addr add " + cidr + " dev " + WAN + "\n"
                        + "ip route replace default via " + uplink.router() + " dev " + WAN + "\n");
        int previous = Ipv4.parse(uplink.address());
        uplink.address(fresh);
        // The built address stays reserved for reset(); only intermediate ones go back to the pool.
        if (previous != Ipv4.parse(uplink.initialAddress())) {
            uplink.segment().release(previous);
        }
        flushConntrack();
        return uplink.address();
    }

    /** Downs the far end of the gateway's WAN link: everything behind it is offline. */
    public synchronized void cutUplink() {
        uplink.cut();
    }

    public synchronized void restoreUplink() {
        uplink.restore();
    }

    public boolean isUplinkUp() {
        return uplink.isUp();
    }

    Uplink uplink() {
        return uplink;
    }

    Segment lan() {
        return lan;
    }

    void addChild(LabNode child) {
        children.add(child);
    }

    private void applyRuleset(NatMapping m, Egress e) {
        netns().exec(
                        "nft",
                        "-f",
                        Plumbing.writeScript(dir(), "natlab.nft", ruleset(m, e)).toString());
    }

    static String ruleset(NatMapping m, Egress e) {
        return "table ip natlab\n"
                + "delete table ip natlab\n"
                + "table ip natlab {\n"
                + "  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                + indent(m.nftRules(WAN))
                + "  }\n"
                + "  chain forward {\n"
                + "    type filter hook forward priority filter; policy drop;\n"
                + indent(e.nftRules(LAN, WAN))
                + "    ct state established,related accept\n"
                + "    iifname \"" + LAN + "\" oifname \"" + WAN + "\" accept\n"
                + "    iifname \"" + LAN + "\" oifname \"" + LAN + "\" accept\n"
                + "  }\n"
                // Unsolicited UDP to the gateway itself is dropped, as a home router's WAN firewall does. Accepted, it
                // would leave a conntrack entry (peer:port -> gateway:port) that makes masquerade remap the LAN host's
                // next flow to that peer: hole punching could never work when one side's packet arrives first.
                + "  chain input {\n"
                + "    type filter hook input priority filter; policy accept;\n"
                + "    iifname \"" + WAN + "\" meta l4proto udp ct state new drop\n"
                + "  }\n"
                + "}\n";
    }

    private static String indent(String lines) {
        StringBuilder sb = new StringBuilder();
        lines.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
        return sb.toString();
    }

    @Override
    String setupScript() {
        return Plumbing.uplinkScript(uplink)
                + Plumbing.segmentScript(lan, children)
                + Plumbing.routerSysctls()
                + "nft -f - <<'NFT'\n" + ruleset(mapping, egress) + "NFT\n";
    }

    @Override
    synchronized void restore() {
        int current = Ipv4.parse(uplink.address());
        StringBuilder sh = new StringBuilder("nft flush ruleset\n");
        sh.append(Plumbing.uplinkRestoreScript(uplink));
        sh.append("nft -f - <<'NFT'\n")
                .append(ruleset(initialMapping, initialEgress))
                .append("NFT\n");
        sh.append("conntrack -F >/dev/null 2>&1 || true\n");
        Plumbing.run(this, "restore.sh", sh.toString());
        if (current != Ipv4.parse(uplink.initialAddress())) {
            uplink.segment().release(current);
            uplink.address(Ipv4.parse(uplink.initialAddress()));
        }
        mapping = initialMapping;
        egress = initialEgress;
        etc().reset();
    }

    @Override
    String describeLine() {
        return String.format(
                "%-8s %-14s %-18s via %-15s LAN %-16s %s, egress %s",
                name(),
                upstream == null ? "gateway" : "behind " + upstream.name(),
                uplink.cidr(),
                uplink.router(),
                lanSubnet(),
                mapping,
                egress);
    }
}
