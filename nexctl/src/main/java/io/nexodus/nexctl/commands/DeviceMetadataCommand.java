package io.nexodus.nexctl.commands;

import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.nexctl.output.Table;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl device metadata ...}: any JSON value per key, e.g. {@code relay}. */
@Command(name = "metadata", description = "Per-device metadata: any JSON value under a key (e.g. relay).")
public final class DeviceMetadataCommand extends BaseCommand {

    static Table<DeviceMetadata> table(boolean withDevice, boolean full) {
        return Table.<DeviceMetadata>builder()
                .when(withDevice || full, b -> b.col("DEVICE ID", DeviceMetadata::deviceId))
                .col("KEY", DeviceMetadata::key)
                .col("VALUE", m -> m.value() == null ? null : m.value().toString())
                .when(full, b -> b.col("REVISION", DeviceMetadata::revision))
                .build();
    }

    @Command(name = "get", description = "Show a device's metadata (all keys, one key, or keys with a prefix).")
    void get(
            @ArgGroup(multiplicity = "1") IdArgument.Device device,
            @Option(names = "--key", description = "Only this key.") String key,
            @Option(names = "--prefix", description = "Only keys starting with this.") String prefix,
            @Option(
                            names = {"-f", "--full"},
                            description = "Also show the device id and revision.")
                    boolean full) {
        if (key != null) {
            out().item(table(false, full), api().devices().getMetadata(device.id(), key));
        } else {
            out().list(table(false, full), api().devices().metadata(device.id(), prefix));
        }
    }

    @Command(
            name = "set",
            description = "Set a key to a JSON value (e.g. --value '{\"type\":\"derp\"}' or --value '\"text\"').")
    void set(
            @ArgGroup(multiplicity = "1") IdArgument.Device device,
            @Option(names = "--key", required = true, description = "The key to set.") String key,
            @Option(names = "--value", required = true, paramLabel = "JSON", description = "Its new value, as JSON.")
                    String value) {
        out().item(table(false, false), api().devices().putMetadata(device.id(), key, jsonValue("--value", value)));
        out().success("successfully updated");
    }

    @Command(name = "delete", description = "Delete one key.")
    void delete(
            @ArgGroup(multiplicity = "1") IdArgument.Device device,
            @Option(names = "--key", required = true, description = "The key to delete.") String key) {
        api().devices().deleteMetadata(device.id(), key);
        out().success("successfully deleted");
    }

    @Command(name = "clear", description = "Delete every key of the device.")
    void clear(@ArgGroup(multiplicity = "1") IdArgument.Device device) {
        api().devices().clearMetadata(device.id());
        out().success("successfully deleted");
    }
}
