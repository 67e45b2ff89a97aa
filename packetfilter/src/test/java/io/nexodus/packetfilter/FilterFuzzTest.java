package io.nexodus.packetfilter;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.packetfilter.nft.NftablesScript;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the two parsers of untrusted input in this module: packet bytes from peers and
 * the rule parser fed from the API. In {@code ./mvnw verify} each runs for a few seconds (see the pom); a plain unit
 * test run replays the committed inputs under src/test/resources only.
 */
class FilterFuzzTest {
    private static final StatefulFilter FILTER = new StatefulFilter(1024, Timeouts.LINUX);
    private static long now;

    static {
        try {
            FILTER.setRules(RuleSet.parse(
                    List.of(
                            new RuleSpec("tcp", 22, 22, List.of("10.0.0.0/8", "fd00::/8")),
                            new RuleSpec("icmp", 0, 0, List.of())),
                    List.of(new RuleSpec("udp", 53, 53, List.of()))));
        } catch (InvalidRuleException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Any bytes as a packet (the last byte's low bit picks the direction; time moves 100 ms per input, so flows are
     * created, advanced and expired): decide returns a decision and never throws; the table never overflows.
     */
    @FuzzTest(maxDuration = "10s")
    void decideOnArbitraryPackets(byte[] packet) {
        boolean inbound = packet.length > 0 && (packet[packet.length - 1] & 1) == 1;
        now += 100_000_000L;
        Decision d = FILTER.decide(inbound ? Direction.INBOUND : Direction.OUTBOUND, packet, 0, packet.length, now);
        if (d == null || FILTER.status().flows() > 1024) {
            throw new AssertionError(
                    "decision " + d + " with " + FILTER.status().flows() + " flows");
        }
    }

    /** Any rule text: parsing succeeds or fails with a field-naming InvalidRuleException, nothing else. */
    @FuzzTest(maxDuration = "10s")
    void parseArbitraryRules(FuzzedDataProvider data) {
        List<RuleSpec> rules = new ArrayList<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            List<String> ranges = new ArrayList<>();
            int m = data.consumeInt(0, 3);
            for (int j = 0; j < m; j++) {
                ranges.add(data.consumeString(48));
            }
            rules.add(new RuleSpec(data.consumeString(8), data.consumeInt(), data.consumeInt(), ranges));
        }
        try {
            RuleSet rs = RuleSet.parse(rules, rules);
            for (Rule r : rs.rules(Direction.INBOUND)) {
                // every accepted range prints as text that parses back to the same range
                for (AddressRange range : r.ranges()) {
                    if (!AddressRange.parse(range.toString()).equals(range)) {
                        throw new AssertionError("round trip of " + range);
                    }
                }
                NftablesScript.render(rs, "wg0");
            }
        } catch (InvalidRuleException e) {
            if (!e.field().startsWith("inbound_rules[") && !e.field().startsWith("outbound_rules[")) {
                throw new AssertionError("bad field " + e.field(), e);
            }
        }
    }
}
