package io.nexodus.packetfilter.nft;

import io.nexodus.packetfilter.AddressRange;
import io.nexodus.packetfilter.Direction;
import io.nexodus.packetfilter.Protocol;
import io.nexodus.packetfilter.Rule;
import io.nexodus.packetfilter.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A security group as an {@code nft -f} script, for tunnels the kernel or wireguard-go carries (where the built-in
 * device's {@link io.nexodus.packetfilter.StatefulFilter} is not in the packet path). Upstream does the same with one
 * {@code nft} command per rule; we write one script so that the whole change is one nftables transaction: the script
 * creates the table (so that deleting it cannot fail), deletes it, and creates it again with the new rules, and
 * nftables applies all of it or none of it. Packets never see a half-built table.
 * <p>
 * The table {@code inet nexodus-sg} is ours alone. Chain {@code inbound} hooks input and judges packets arriving on
 * the tunnel interface by their source address and destination port; chain {@code outbound} hooks output and judges
 * packets leaving through it by destination address and port (upstream hooks both chains on input, so its outbound
 * rules never see an outgoing packet; we filter outgoing packets as the API describes). Each chain accepts
 * {@code ct state established,related} first (the kernel's connection tracking plays the role of ours), then one
 * rule line per rule and address family, each with a counter and the rule's JSON path as comment (see
 * {@link NftCounters}), then a counted drop. A direction without rules gets no chain (everything passes, as upstream);
 * a group without rules removes the table. Forwarded traffic (relays, routers) is not filtered: neither hook sees it.
 */
public final class NftablesScript {
    /** The table this class owns. */
    public static final String TABLE = "nexodus-sg";

    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private NftablesScript() {}

    /**
     * The script that atomically replaces the table with {@code rules} enforced on interface {@code iface}; run it
     * with {@code nft -f -}.
     *
     * @throws IllegalArgumentException if {@code iface} is not a plain interface name
     */
    public static String render(RuleSet rules, String iface) {
        if (iface == null || !IFACE.matcher(iface).matches()) {
            throw new IllegalArgumentException("not an interface name: " + iface);
        }
        StringBuilder sb = new StringBuilder(remove());
        if (rules.allowsAll()) {
            return sb.toString();
        }
        sb.append("table inet ").append(TABLE).append(" {\n");
        for (Direction d : Direction.values()) {
            List<Rule> list = rules.rules(d);
            if (list.isEmpty()) {
                continue;
            }
            boolean in = d == Direction.INBOUND;
            String match = (in ? "iifname \"" : "oifname \"") + iface + "\"";
            sb.append("  chain ").append(chain(d)).append(" {\n");
            sb.append("    type filter hook ")
                    .append(in ? "input" : "output")
                    .append(" priority filter; policy accept;\n");
            sb.append("    ")
                    .append(match)
                    .append(" ct state established,related counter accept comment \"")
                    .append(d.field())
                    .append(": established,related\"\n");
            for (Rule r : list) {
                for (String line : lines(d, r)) {
                    sb.append("    ").append(match).append(line.isEmpty() ? "" : " " + line);
                    sb.append(" counter accept comment \"").append(r.field()).append("\"\n");
                }
            }
            sb.append("    ")
                    .append(match)
                    .append(" counter drop comment \"")
                    .append(d.field())
                    .append(": no rule matched\"\n");
            sb.append("  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** The script that removes the table, whether it exists or not. */
    public static String remove() {
        return "table inet " + TABLE + " {}\ndelete table inet " + TABLE + "\n";
    }

    /** The chain of a direction. */
    public static String chain(Direction d) {
        return d == Direction.INBOUND ? "inbound" : "outbound";
    }

    /** The match expressions for one rule: one line per address family it needs (empty string: match all). */
    static List<String> lines(Direction d, Rule r) {
        List<String> out = new ArrayList<>();
        if (r.anyAddress()) {
            out.addAll(protocol(r, 0));
            return out;
        }
        String keyword = d == Direction.INBOUND ? "saddr" : "daddr";
        for (int family : new int[] {4, 6}) {
            List<AddressRange> ranges =
                    r.ranges().stream().filter(x -> x.v6() == (family == 6)).toList();
            if (ranges.isEmpty()) {
                continue;
            }
            String addr = (family == 4 ? "ip " : "ip6 ") + keyword + " " + set(ranges);
            for (String p : protocol(r, family)) {
                out.add(p.isEmpty() ? addr : addr + " " + p);
            }
        }
        return out;
    }

    /** The protocol and port part for a rule, for one family (4, 6) or both (0). */
    private static List<String> protocol(Rule r, int family) {
        String ports = r.fromPort() == r.toPort() ? "" + r.fromPort() : r.fromPort() + "-" + r.toPort();
        Protocol p = r.protocol();
        return switch (p) {
            case ANY -> List.of(r.hasPorts() ? "meta l4proto { tcp, udp } th dport " + ports : "");
            case TCP, UDP -> List.of(r.hasPorts() ? p.wireName() + " dport " + ports : "meta l4proto " + p.wireName());
            case IPV4 -> List.of("meta nfproto ipv4");
            case IPV6 -> List.of("meta nfproto ipv6");
            case ICMPV4 -> List.of("meta nfproto ipv4 meta l4proto icmp");
            case ICMPV6 -> List.of("meta nfproto ipv6 meta l4proto ipv6-icmp");
            case ICMP ->
                switch (family) {
                    case 4 -> List.of("meta nfproto ipv4 meta l4proto icmp");
                    case 6 -> List.of("meta nfproto ipv6 meta l4proto ipv6-icmp");
                    default ->
                        List.of("meta nfproto ipv4 meta l4proto icmp", "meta nfproto ipv6 meta l4proto ipv6-icmp");
                };
        };
    }

    private static String set(List<AddressRange> ranges) {
        if (ranges.size() == 1) {
            return ranges.getFirst().toString();
        }
        StringBuilder sb = new StringBuilder("{ ");
        for (int i = 0; i < ranges.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(ranges.get(i));
        }
        return sb.append(" }").toString();
    }
}
