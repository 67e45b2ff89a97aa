package io.nexodus.packetfilter.nft;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the counters of the table {@link NftablesScript} renders from {@code nft list table inet nexodus-sg}: packets
 * per comment, i.e. per rule ({@code inbound_rules[0]}: packets that started a flow the rule allowed, summed over the
 * rule's lines), per chain's drop ({@code inbound_rules: no rule matched}) and per chain's accepted replies
 * ({@code inbound_rules: established,related}). Lines without a counter and a comment are skipped.
 */
public final class NftCounters {
    private static final Pattern LINE = Pattern.compile("counter packets (\\d+) bytes \\d+ .*?comment \"([^\"]+)\"");

    private NftCounters() {}

    /** Packets by comment, in the order the listing shows them. */
    public static Map<String, Long> parse(String listing) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : listing.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.find() && m.group(1).length() < 19) {
                out.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
        }
        return out;
    }
}
