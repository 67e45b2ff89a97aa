package io.nexodus.nexctl.commands;

import io.nexodus.nexctl.output.Table;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code nexctl feature-flag ...}. */
@Command(
        name = "feature-flag",
        aliases = {"feature-flags", "fflag"},
        description = "Optional features the service has enabled.")
public final class FeatureFlagCommand extends BaseCommand {

    static Table<Map.Entry<String, Boolean>> table() {
        return Table.<Map.Entry<String, Boolean>>builder()
                .col("NAME", Map.Entry::getKey)
                .col("ENABLED", Map.Entry::getValue)
                .build();
    }

    @Command(name = "list", description = "List the feature flags.")
    void list() {
        Map<String, Boolean> flags = new TreeMap<>(api().featureFlags().list());
        if (out().tabular()) {
            out().list(table(), List.copyOf(flags.entrySet()));
        } else {
            out().value(flags, "");
        }
    }

    @Command(name = "get", description = "Show one feature flag (404 for an unknown one).")
    void get(@ArgGroup(multiplicity = "1") IdArgument.FeatureFlag flag) {
        String name = flag.id();
        boolean enabled = api().featureFlags().get(name);
        if (out().tabular()) {
            out().item(table(), Map.entry(name, enabled));
        } else {
            out().value(Map.of(name, enabled), "");
        }
    }
}
