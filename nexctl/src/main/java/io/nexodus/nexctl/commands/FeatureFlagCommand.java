package io.nexodus.nexctl.commands;

import io.nexodus.nexctl.output.Table;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
        Map<String, Boolean> flags =
                new java.util.TreeMap<>(api().featureFlags().list());
        if (out().tabular()) {
            out().list(table(), java.util.List.copyOf(flags.entrySet()));
        } else {
            out().value(flags, "");
        }
    }

    @Command(name = "get", description = "Show one feature flag (404 for an unknown one).")
    void get(
            @Option(
                            names = "--name",
                            required = true,
                            description = "e.g. multi-organization, security-groups, devices.")
                    String name) {
        boolean enabled = api().featureFlags().get(name);
        if (out().tabular()) {
            out().item(table(), Map.entry(name, enabled));
        } else {
            out().value(Map.of(name, enabled), "");
        }
    }
}
