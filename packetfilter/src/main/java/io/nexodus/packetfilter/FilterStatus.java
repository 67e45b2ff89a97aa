package io.nexodus.packetfilter;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a {@link StatefulFilter} for status displays and metrics.
 *
 * @param rules the label of the rule set in force
 * @param generation how many rule sets were installed before this one (the first is 1)
 * @param inbound per inbound rule: new flows it accepted since the rule set was installed
 * @param outbound per outbound rule: the same
 * @param decisions packets by decision since the filter started
 * @param flows flows tracked now (including expired ones not yet swept)
 * @param capacity the table's size limit
 * @param evicted flows evicted to make room for a new one
 * @param revoked tracked flows that a new rule set no longer allowed, stopped at their next packet
 */
public record FilterStatus(
        String rules,
        long generation,
        List<RuleHits> inbound,
        List<RuleHits> outbound,
        Map<Decision, Long> decisions,
        int flows,
        int capacity,
        long evicted,
        long revoked) {

    /**
     * One rule and the new flows it accepted.
     *
     * @param field the rule's JSON path, e.g. {@code inbound_rules[0]}
     * @param rule the rule in short form, e.g. {@code tcp 22 10.0.0.0/8}
     * @param flows new flows it accepted
     */
    public record RuleHits(String field, String rule, long flows) {}

    /** Packets dropped, all reasons together. */
    public long dropped() {
        return decisions.entrySet().stream()
                .filter(e -> !e.getKey().accepted())
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
