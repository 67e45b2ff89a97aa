package io.nexodus.nexd.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes a host a subnet router ({@code nexd router --network-router}): the kernel forwards the mesh's packets for
 * the advertised networks from the tunnel interface to wherever this host routes them (its LAN), and, unless NAT is
 * off, rewrites their source to this host's address on the way out, so the networks' hosts answer this host and need
 * no route back to the VPC. Upstream's design (a table {@code nexodus-net-router} with forward and postrouting chains;
 * masquerade unless {@code --disable-nat}), narrowed: only packets that came in on the tunnel, are addressed to an
 * advertised network and leave by another interface are masqueraded, so this host's own traffic and other forwarding
 * are untouched.
 * <p>
 * IP forwarding is switched on only in this network namespace (sysctls under {@code /proc/sys/net} are per namespace)
 * and only for the families of the advertised networks; {@link #close()} deletes the table and puts back a forwarding
 * sysctl it changed from 0.
 * <p>
 * An exit node ({@code nexd router --exit-node}) forwards more: every IPv4 packet that comes in on the tunnel and
 * leaves by another interface (the peers' internet traffic), always masqueraded, since a tunnel address means nothing
 * on the internet; the replies come back through conntrack.
 */
public final class SubnetRouting implements AutoCloseable {
    static final String TABLE = "nexodus-router";
    static final String IPV4_FORWARD = "net/ipv4/ip_forward";
    static final String IPV6_FORWARD = "net/ipv6/conf/all/forwarding";

    private final CommandRunner run;
    private final String iface;
    private final List<String> cidrs;
    private final boolean nat;
    private final boolean exitNode;
    private final Path procSys;
    private final Map<String, String> restore = new LinkedHashMap<>();
    private boolean applied;

    /** {@code cidrs}: normalized, no default route; empty only for an exit node. */
    public SubnetRouting(CommandRunner run, String iface, List<String> cidrs, boolean nat, boolean exitNode) {
        this(run, iface, cidrs, nat, exitNode, Path.of("/proc/sys"));
    }

    SubnetRouting(CommandRunner run, String iface, List<String> cidrs, boolean nat, Path procSys) {
        this(run, iface, cidrs, nat, false, procSys);
    }

    SubnetRouting(CommandRunner run, String iface, List<String> cidrs, boolean nat, boolean exitNode, Path procSys) {
        this.run = run;
        this.iface = iface;
        this.cidrs = List.copyOf(cidrs);
        this.nat = nat;
        this.exitNode = exitNode;
        this.procSys = procSys;
    }

    public void enable() throws NetConfigException {
        if (exitNode || cidrs.stream().anyMatch(c -> !c.contains(":"))) {
            forward(IPV4_FORWARD);
        }
        if (cidrs.stream().anyMatch(c -> c.contains(":"))) {
            forward(IPV6_FORWARD);
        }
        applied = true; // from here on close() undoes what was done, also if nft fails
        run.run(List.of("nft", "-f", "-"), nftRules(iface, cidrs, nat, exitNode));
    }

    /**
     * The nftables ruleset: a table of its own (created empty, deleted and created again in one transaction, so a
     * leftover of a crashed run is replaced atomically). The forward chain's accepts count what was routed; they do not
     * override a drop in another table (nftables evaluates every base chain), which is for the host's administrator.
     */
    static String nftRules(String iface, List<String> cidrs, boolean nat) {
        return nftRules(iface, cidrs, nat, false);
    }

    static String nftRules(String iface, List<String> cidrs, boolean nat, boolean exitNode) {
        List<String> v4 = cidrs.stream().filter(c -> !c.contains(":")).toList();
        List<String> v6 = cidrs.stream().filter(c -> c.contains(":")).toList();
        String q = "\"" + iface + "\"";
        StringBuilder b = new StringBuilder()
                .append("table inet ")
                .append(TABLE)
                .append(" {}\n")
                .append("delete table inet ")
                .append(TABLE)
                .append('\n')
                .append("table inet ")
                .append(TABLE)
                .append(" {\n")
                .append("  chain forward {\n")
                .append("    type filter hook forward priority 0; policy accept;\n");
        for (Family f : families(v4, v6)) {
            b.append("    iifname ")
                    .append(q)
                    .append(' ')
                    .append(f.match())
                    .append(" daddr ")
                    .append(f.set())
                    .append(" counter accept\n");
            b.append("    oifname ")
                    .append(q)
                    .append(' ')
                    .append(f.match())
                    .append(" saddr ")
                    .append(f.set())
                    .append(" counter accept\n");
        }
        if (exitNode) {
            b.append("    iifname ")
                    .append(q)
                    .append(" oifname != ")
                    .append(q)
                    .append(" meta nfproto ipv4 counter accept comment \"exit node: out\"\n");
            b.append("    oifname ")
                    .append(q)
                    .append(" iifname != ")
                    .append(q)
                    .append(" meta nfproto ipv4 ct state established,related counter accept comment \"exit node:"
                            + " replies\"\n");
        }
        b.append("  }\n");
        if (nat || exitNode) {
            b.append("  chain postrouting {\n").append("    type nat hook postrouting priority 100; policy accept;\n");
        }
        if (exitNode) {
            b.append("    iifname ")
                    .append(q)
                    .append(" oifname != ")
                    .append(q)
                    .append(" meta nfproto ipv4")
                    // --disable-nat keeps the LAN's networks unmasqueraded; the internet always is
                    .append(!nat && !v4.isEmpty() ? " ip daddr != { " + String.join(", ", v4) + " }" : "")
                    .append(" counter masquerade comment \"exit node\"\n");
        }
        if (nat) {
            for (Family f : families(v4, v6)) {
                b.append("    iifname ")
                        .append(q)
                        .append(" oifname != ")
                        .append(q)
                        .append(' ')
                        .append(f.match())
                        .append(" daddr ")
                        .append(f.set())
                        .append(" counter masquerade\n");
            }
        }
        if (nat || exitNode) {
            b.append("  }\n");
        }
        return b.append("}\n").toString();
    }

    private record Family(String match, String set) {}

    private static List<Family> families(List<String> v4, List<String> v6) {
        List<Family> out = new ArrayList<>();
        if (!v4.isEmpty()) {
            out.add(new Family("ip", "{ " + String.join(", ", v4) + " }"));
        }
        if (!v6.isEmpty()) {
            out.add(new Family("ip6", "{ " + String.join(", ", v6) + " }"));
        }
        return out;
    }

    private void forward(String key) throws NetConfigException {
        Path p = procSys.resolve(key);
        try {
            String before = Files.readString(p).strip();
            if (!before.equals("1")) {
                Files.writeString(p, "1");
                restore.put(key, before);
            }
        } catch (IOException e) {
            throw new NetConfigException(
                    "cannot set " + key.replace('/', '.') + "=1 (" + e.getMessage()
                            + "); --network-router must forward packets",
                    e);
        }
    }

    /** The forwarding sysctls this router switched on, for the status. */
    public List<String> sysctlsChanged() {
        return restore.keySet().stream().map(k -> k.replace('/', '.')).toList();
    }

    @Override
    public void close() {
        if (!applied) {
            return;
        }
        applied = false;
        try {
            run.run(List.of("nft", "delete", "table", "inet", TABLE), null);
        } catch (NetConfigException e) {
            // never created (nft failed) or already gone
        }
        for (Map.Entry<String, String> e : restore.entrySet()) {
            try {
                Files.writeString(procSys.resolve(e.getKey()), e.getValue());
            } catch (IOException ex) {
                // the namespace is going away, or someone else owns the setting now: leave it
            }
        }
        restore.clear();
    }
}
