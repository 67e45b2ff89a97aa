package io.nexodus.packetfilter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One security rule as the API carries it (upstream's {@code SecurityRule}): {@code ip_protocol}, {@code from_port},
 * {@code to_port}, {@code ip_ranges}. nexd builds these from the api records; {@link RuleSet#parse} checks and compiles
 * them. A null {@code ipRanges} means no ranges (any address); a null entry is read as {@code ""} (any).
 */
public record RuleSpec(String ipProtocol, int fromPort, int toPort, List<String> ipRanges) {
    public RuleSpec {
        ipRanges = ipRanges == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(ipRanges));
    }
}
