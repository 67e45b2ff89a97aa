package io.nexodus.packetfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * A security group compiled for enforcement: its inbound and outbound rules, checked once by {@link #parse}.
 * <p>
 * Semantics (upstream's; see docs/security-groups.md): rules only allow. A direction with no rules allows everything
 * in that direction (upstream adds its final drop only when a direction has rules); a direction with rules allows a new
 * flow when any rule matches and drops it otherwise. Inbound rules match the packet's source address (the remote side)
 * and destination port; outbound rules match the destination address and destination port. Replies of an allowed flow
 * pass through connection tracking ({@link StatefulFilter}), not through the rules.
 * <p>
 * Immutable; the filter swaps whole rule sets atomically ({@link StatefulFilter#setRules}).
 */
public final class RuleSet {
    /** The rule index for "the direction has no rules, so everything is allowed". */
    static final int ALLOWED_NO_RULES = -1;
    /** The rule index for "no rule matched". */
    static final int NO_MATCH = -2;

    /** No rules in either direction: everything passes (the VPC's default group, or no group at all). */
    public static final RuleSet ALLOW_ALL = new RuleSet("allow all", List.of(), List.of());

    private final String label;
    private final List<Rule> inbound;
    private final List<Rule> outbound;
    private final Rule[] inboundArray;
    private final Rule[] outboundArray;

    private RuleSet(String label, List<Rule> inbound, List<Rule> outbound) {
        this.label = label;
        this.inbound = List.copyOf(inbound);
        this.outbound = List.copyOf(outbound);
        this.inboundArray = this.inbound.toArray(new Rule[0]);
        this.outboundArray = this.outbound.toArray(new Rule[0]);
    }

    /** Parses a group's rules; see {@link #parse(String, List, List)}. */
    public static RuleSet parse(List<RuleSpec> inboundRules, List<RuleSpec> outboundRules) throws InvalidRuleException {
        return parse("", inboundRules, outboundRules);
    }

    /**
     * Checks and compiles a group's rules (null lists are empty). {@code label} names the group in status and logs
     * (e.g. its id and revision). Accepts what the service accepts (upstream's protocols, ports, ranges; see
     * {@link Protocol} and {@link AddressRange}) and refuses, with the field's JSON path:
     * <ul>
     *   <li>an {@code ip_protocol} upstream does not know;
     *   <li>ports other than both 0 (every port) or 1 &le; from &le; to &le; 65535 (one-sided ports are refused, as
     *       upstream does);
     *   <li>ports on a protocol without ports (icmp*, ipv4, ipv6);
     *   <li>an {@code ip_ranges} entry that is not an address, CIDR or {@code a-b} range, or whose family contradicts
     *       the protocol (an IPv6 range in an {@code ipv4} or {@code icmpv4} rule, and the reverse).
     * </ul>
     */
    public static RuleSet parse(String label, List<RuleSpec> inboundRules, List<RuleSpec> outboundRules)
            throws InvalidRuleException {
        return new RuleSet(
                label == null ? "" : label,
                compile(Direction.INBOUND, inboundRules),
                compile(Direction.OUTBOUND, outboundRules));
    }

    private static List<Rule> compile(Direction direction, List<RuleSpec> specs) throws InvalidRuleException {
        List<Rule> out = new ArrayList<>();
        if (specs == null) {
            return out;
        }
        for (int i = 0; i < specs.size(); i++) {
            out.add(compile(direction.field() + "[" + i + "]", specs.get(i)));
        }
        return out;
    }

    static Rule compile(String field, RuleSpec spec) throws InvalidRuleException {
        if (spec == null) {
            throw new InvalidRuleException(field, "a rule is null");
        }
        Protocol protocol = Protocol.fromWire(spec.ipProtocol());
        if (protocol == null) {
            throw new InvalidRuleException(
                    field + ".ip_protocol",
                    "unsupported protocol '" + spec.ipProtocol()
                            + "' (one of \"\" for any, ipv4, ipv6, icmp, icmpv4, icmpv6, tcp, udp)");
        }
        int from = spec.fromPort();
        int to = spec.toPort();
        if (from != 0 || to != 0) {
            checkPorts(field, protocol, from, to);
        }
        List<AddressRange> ranges = new ArrayList<>();
        boolean any = spec.ipRanges().isEmpty();
        for (int j = 0; j < spec.ipRanges().size(); j++) {
            String text = spec.ipRanges().get(j);
            if (text == null || text.isBlank()) {
                any = true; // upstream's wildcard entry
                continue;
            }
            String rangeField = field + ".ip_ranges[" + j + "]";
            AddressRange r;
            try {
                r = AddressRange.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidRuleException(
                        rangeField, "invalid ip range '" + text.strip() + "': " + e.getMessage());
            }
            int family = protocol.family();
            if ((family == 4 && r.v6()) || (family == 6 && !r.v6())) {
                throw new InvalidRuleException(
                        rangeField,
                        "an IPv" + (r.v6() ? 6 : 4) + " range cannot match protocol " + protocol.wireName());
            }
            ranges.add(r);
        }
        return new Rule(field, protocol, from, to, ranges, any);
    }

    private static void checkPorts(String field, Protocol protocol, int from, int to) throws InvalidRuleException {
        if (from == 0) {
            throw new InvalidRuleException(
                    field + ".from_port", "must be 1-65535 when to_port is set (both 0 means every port)");
        }
        if (to == 0) {
            throw new InvalidRuleException(
                    field + ".to_port", "must be 1-65535 when from_port is set (both 0 means every port)");
        }
        if (from < 1 || from > 65535) {
            throw new InvalidRuleException(field + ".from_port", "port " + from + " is outside 1-65535");
        }
        if (to < 1 || to > 65535) {
            throw new InvalidRuleException(field + ".to_port", "port " + to + " is outside 1-65535");
        }
        if (from > to) {
            throw new InvalidRuleException(
                    field + ".from_port", "from_port " + from + " is greater than to_port " + to);
        }
        if (!protocol.allowsPorts()) {
            throw new InvalidRuleException(
                    field + ".from_port",
                    "ports apply only to tcp, udp or any protocol (\"\"), not to " + protocol.wireName());
        }
    }

    /** The group's name in status and logs. */
    public String label() {
        return label;
    }

    /** The rules of one direction, in the group's order. */
    public List<Rule> rules(Direction direction) {
        return direction == Direction.INBOUND ? inbound : outbound;
    }

    /** Whether this rule set allows every packet in both directions. */
    public boolean allowsAll() {
        return inbound.isEmpty() && outbound.isEmpty();
    }

    /**
     * The index of the first rule of {@code direction} that admits a new flow with these properties (remote address
     * {@code hi:lo}), {@link #ALLOWED_NO_RULES} if the direction has no rules, or {@link #NO_MATCH}. Allocation-free.
     */
    int match(Direction direction, int ipVersion, int l4, long hi, long lo, int dport) {
        Rule[] rules = direction == Direction.INBOUND ? inboundArray : outboundArray;
        if (rules.length == 0) {
            return ALLOWED_NO_RULES;
        }
        for (int i = 0; i < rules.length; i++) {
            if (rules[i].matches(ipVersion, l4, hi, lo, dport)) {
                return i;
            }
        }
        return NO_MATCH;
    }

    @Override
    public String toString() {
        return "RuleSet[" + label + ": inbound " + inbound + ", outbound " + outbound + "]";
    }
}
