package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.nexctl.output.Table;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl vpc ...}. */
@Command(
        name = "vpc",
        aliases = "vpcs",
        description = "VPCs: the sets of devices that mesh with each other.",
        subcommands = VpcCommand.Metadata.class)
public final class VpcCommand extends BaseCommand {

    static Table<Vpc> table() {
        return Table.<Vpc>builder()
                .col("VPC ID", Vpc::id)
                .col("ORGANIZATION ID", Vpc::organizationId)
                .col("IPV4 CIDR", Vpc::ipv4Cidr)
                .col("IPV6 CIDR", Vpc::ipv6Cidr)
                .col("DESCRIPTION", Vpc::description)
                .build();
    }

    @Command(name = "list", description = "List the VPCs of your organizations.")
    void list() {
        out().list(table(), api().vpcs().list(ListOptions.NONE).items());
    }

    @Command(name = "get", description = "Show one VPC.")
    void get(@ArgGroup(multiplicity = "1") IdArgument.Vpc vpc) {
        out().item(table(), api().vpcs().get(vpc.id()));
    }

    @Command(
            name = "create",
            description = {
                "Create a VPC.",
                "Without CIDRs it takes addresses from the service's shared pools; with",
                "--ipv4-cidr (and optionally --ipv6-cidr) it gets its own pools."
            })
    void create(
            @Option(
                            names = "--organization-id",
                            paramLabel = "UUID",
                            description = "The organization (default: your default organization).")
                    UUID orgId,
            @Option(names = "--description", defaultValue = "", description = "What it is for.") String description,
            @Option(names = "--ipv4-cidr", paramLabel = "CIDR", description = "Private IPv4 pool, e.g. 10.200.0.0/16.")
                    String v4,
            @Option(
                            names = "--ipv6-cidr",
                            paramLabel = "CIDR",
                            description = "Private IPv6 pool (default: a random ULA /64).")
                    String v6) {
        UUID org = orgId != null ? orgId : session().currentUserId();
        boolean privateCidr = v4 != null || v6 != null;
        out().item(table(), api().vpcs().create(new AddVpc(org, description, privateCidr, v4, v6)));
    }

    @Command(name = "update", description = "Change a VPC's description.")
    void update(
            @ArgGroup(multiplicity = "1") IdArgument.Vpc vpc,
            @Option(names = "--description", required = true, description = "New description.") String description) {
        out().item(table(), api().vpcs().update(vpc.id(), new UpdateVpc(description)));
        out().success("successfully updated");
    }

    @Command(name = "delete", description = "Delete a VPC (owner only; not a default VPC; no devices left).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.Vpc vpc) {
        out().item(table(), api().vpcs().delete(vpc.id()));
        out().success("successfully deleted");
    }

    /** One row of {@code vpc connectivity}: a reported pair with the hostnames of both ends. */
    record PairRow(String from, String to, VpcConnectivity.ConnectivityPair pair) {}

    static Table<PairRow> connectivityTable() {
        return Table.<PairRow>builder()
                .col("FROM", PairRow::from)
                .col("TO", PairRow::to)
                .col("PATH", r -> r.pair().path())
                .col("METHOD", r -> r.pair().method())
                .col("RELAY", r -> r.pair().relay())
                .col(
                        "LATEST HANDSHAKE",
                        r -> r.pair().handshakeAgeSeconds() == null
                                ? "None"
                                : r.pair().handshakeAgeSeconds() + " seconds ago")
                .col("TRANSMITTED", r -> r.pair().txBytes())
                .col("RECEIVED", r -> r.pair().rxBytes())
                .col("HEALTHY", r -> r.pair().healthy())
                .col("STALE", r -> r.pair().stale() ? "stale" : "")
                .build();
    }

    /** The pairs with hostnames (a device without one shows its id), in the service's order. */
    static List<PairRow> pairRows(VpcConnectivity v) {
        Map<UUID, String> names = new HashMap<>();
        for (VpcConnectivity.ConnectivityDevice d : v.devices()) {
            names.put(
                    d.deviceId(),
                    d.hostname() == null || d.hostname().isEmpty()
                            ? d.deviceId().toString()
                            : d.hostname());
        }
        return v.pairs().stream()
                .map(p -> new PairRow(
                        names.getOrDefault(p.fromDeviceId(), p.fromDeviceId().toString()),
                        names.getOrDefault(p.toDeviceId(), p.toDeviceId().toString()),
                        p))
                .toList();
    }

    /** The census as one line per count, for people. */
    static String census(VpcConnectivity v) {
        VpcConnectivity.ConnectivityCensus c = v.census();
        StringBuilder sb = new StringBuilder();
        sb.append("pairs: ")
                .append(c.pairs())
                .append(" (direct ")
                .append(c.direct())
                .append(", relayed ")
                .append(c.relayed())
                .append(", DERP ")
                .append(c.derp())
                .append(", no path ")
                .append(c.noPath())
                .append(", stale ")
                .append(c.stale())
                .append(", unreported ")
                .append(c.unreported())
                .append(")\n");
        sb.append("NAT types: ");
        if (c.natTypes().isEmpty()) {
            sb.append("none reported");
        } else {
            sb.append(String.join(
                    ", ",
                    c.natTypes().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .toList()));
        }
        long staleDevices = v.devices().stream()
                .filter(VpcConnectivity.ConnectivityDevice::stale)
                .count();
        if (staleDevices > 0) {
            sb.append("\n")
                    .append(staleDevices)
                    .append(" of ")
                    .append(v.devices().size())
                    .append(" devices have no fresh report (older than ")
                    .append(v.staleAfterSeconds())
                    .append(" s, or the device is offline)");
        }
        return sb.toString();
    }

    @Command(
            name = "connectivity",
            description = {
                "Who reaches whom in the VPC and how, as the agents report it.",
                "One row per reported direction (FROM's agent reaching TO): PATH is direct,",
                "relayed (the VPC's WireGuard relay), derp or none; STALE marks a report older",
                "than 90 s or from an offline device. Then the census of the VPC's pairs and",
                "the NAT types seen. --output json prints the service's answer as is."
            })
    void connectivity(@ArgGroup(multiplicity = "1") IdArgument.Vpc vpc) {
        VpcConnectivity v = api().vpcs().connectivity(vpc.id());
        if (out().tabular()) {
            out().list(connectivityTable(), pairRows(v));
            out().success(census(v));
        } else {
            out().value(v, "");
        }
    }

    /** {@code nexctl vpc metadata get}. */
    @Command(name = "metadata", description = "Metadata of the devices in a VPC.")
    public static final class Metadata extends BaseCommand {
        @Command(name = "get", description = "Show the metadata of every device in the VPC.")
        void get(
                @ArgGroup(multiplicity = "1") IdArgument.Vpc vpc,
                @Option(names = "--key", description = "Only this key.") String key,
                @Option(
                                names = "--prefix",
                                paramLabel = "PREFIX",
                                description = "Only keys starting with this (repeatable).")
                        List<String> prefixes,
                @Option(
                                names = {"-f", "--full"},
                                description = "Also show the revision.")
                        boolean full) {
            out().list(DeviceMetadataCommand.table(true, full), api().vpcs().metadata(vpc.id(), key, prefixes));
        }
    }
}
