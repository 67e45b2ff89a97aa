package io.nexodus.server.securitygroup;

import io.nexodus.api.model.SecurityRule;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates security rules as upstream does, answering 422 ValidationError with field {@code protocol},
 * {@code port_range} or {@code ip_range}: protocol one of "", ipv4, ipv6, icmp, icmpv4, icmpv6, tcp, udp; ports both 0
 * (any) or 1 &le; from &le; to &le; 65535 (ports only with tcp/udp/any); each ip range empty (any), an address, a CIDR
 * or {@code a-b} (same family, a &le; b). Returns rules normalized (protocol lower-case, null lists empty). Errors also
 * carry the JSON path of the bad value ({@code inbound_rules[1].ip_ranges[0]}), which the web console shows next to
 * the input.
 */
public final class RuleValidator {
    static final Set<String> PROTOCOLS = Set.of("", "ipv4", "ipv6", "icmp", "icmpv4", "icmpv6", "tcp", "udp");

    private RuleValidator() {}

    /** Validates the rules of one direction; {@code direction} is the body's field, e.g. {@code inbound_rules}. */
    public static List<SecurityRule> validate(List<SecurityRule> rules, String direction) {
        if (rules == null) {
            return List.of();
        }
        List<SecurityRule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            SecurityRule r = rules.get(i);
            String at = direction + "[" + i + "]";
            if (r == null) {
                throw ApiError.unprocessable("protocol", "a rule is null", at);
            }
            String proto = r.ipProtocol() == null ? "" : r.ipProtocol().strip().toLowerCase(Locale.ROOT);
            if (!PROTOCOLS.contains(proto)) {
                throw ApiError.unprocessable(
                        "protocol",
                        "unsupported protocol '" + r.ipProtocol()
                                + "' (one of \"\", ipv4, ipv6, icmp, icmpv4, icmpv6, tcp, udp)",
                        at + ".ip_protocol");
            }
            int from = r.fromPort(), to = r.toPort();
            if (!(from == 0 && to == 0)) {
                if (from < 1 || to < 1 || from > 65535 || to > 65535 || from > to) {
                    throw ApiError.unprocessable(
                            "port_range",
                            "ports must both be 0 (any) or 1 <= from_port <= to_port <= 65535, got " + from + "-" + to,
                            at + (from < 1 || from > 65535 ? ".from_port" : ".to_port"));
                }
                if (proto.startsWith("icmp") || proto.equals("ipv4") || proto.equals("ipv6")) {
                    throw ApiError.unprocessable(
                            "port_range", "ports are only valid for tcp, udp or any protocol", at + ".from_port");
                }
            }
            List<String> ranges = new ArrayList<>();
            List<String> given = r.ipRanges() == null ? List.of() : r.ipRanges();
            for (int j = 0; j < given.size(); j++) {
                String s = given.get(j) == null ? "" : given.get(j).strip();
                if (!s.isEmpty()) {
                    checkRange(s, proto, at + ".ip_ranges[" + j + "]");
                }
                ranges.add(s);
            }
            out.add(new SecurityRule(proto, from, to, ranges));
        }
        return out;
    }

    private static void checkRange(String s, String proto, String path) {
        try {
            boolean v6;
            if (s.contains("/")) {
                v6 = Cidr.parse(s).v6();
            } else if (s.indexOf('-') > 0) {
                String[] ab = s.split("-", 2);
                Cidr a = Cidr.host(ab[0]), b = Cidr.host(ab[1]);
                if (a.v6() != b.v6()) {
                    throw new IllegalArgumentException("range mixes IPv4 and IPv6");
                }
                if (a.network().compareTo(b.network()) > 0) {
                    throw new IllegalArgumentException("range start is after its end");
                }
                v6 = a.v6();
            } else {
                v6 = Cidr.host(s).v6();
            }
            if ((v6 && (proto.equals("ipv4") || proto.equals("icmpv4")))
                    || (!v6 && (proto.equals("ipv6") || proto.equals("icmpv6")))) {
                throw new IllegalArgumentException("address family does not match protocol " + proto);
            }
        } catch (IllegalArgumentException e) {
            throw ApiError.unprocessable("ip_range", "invalid ip range '" + s + "': " + e.getMessage(), path);
        }
    }
}
