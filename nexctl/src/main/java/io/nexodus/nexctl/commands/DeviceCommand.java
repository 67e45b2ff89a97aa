package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.output.Cells;
import io.nexodus.nexctl.output.Table;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl device ...}. */
@Command(
        name = "device",
        aliases = "devices",
        description = "Devices (agents) registered in your VPCs.",
        subcommands = DeviceMetadataCommand.class)
public final class DeviceCommand extends BaseCommand {

    /** Upstream's columns; {@code full} adds the details. */
    static Table<Device> table(boolean full, ZoneId zone) {
        return Table.<Device>builder()
                .col("DEVICE ID", Device::id)
                .col("HOSTNAME", Device::hostname)
                .col("TUNNEL IPS", DeviceCommand::tunnelIps)
                .col("VPC ID", Device::vpcId)
                .col("RELAY", Device::relay)
                .when(
                        full,
                        b -> b.col("PUBLIC KEY", Device::publicKey)
                                .col("LOCAL IP", d -> endpoints(d, true))
                                .col("ADVERTISED CIDR", Device::advertiseCidrs)
                                .col("REFLEXIVE IPv4", d -> endpoints(d, false))
                                .col("LOCAL IPv4", d -> hosts(endpoints(d, true)))
                                .col("SYMMETRIC NAT", Device::symmetricNat)
                                .col("OS", Device::os)
                                .col("SECURITY GROUP ID", Device::securityGroupId)
                                .col("ONLINE", Device::online)
                                .col("ONLINE SINCE", d -> d.online() ? Cells.localTime(d.onlineAt(), zone) : ""))
                .build();
    }

    static List<String> tunnelIps(Device d) {
        List<String> ips = new ArrayList<>();
        if (d.ipv4TunnelIps() != null) {
            d.ipv4TunnelIps().stream().map(TunnelIp::address).forEach(ips::add);
        }
        if (d.ipv6TunnelIps() != null) {
            d.ipv6TunnelIps().stream().map(TunnelIp::address).forEach(ips::add);
        }
        return ips;
    }

    /** The local endpoints, or the reflexive (STUN) ones. */
    static List<String> endpoints(Device d, boolean local) {
        if (d.endpoints() == null) {
            return List.of();
        }
        return d.endpoints().stream()
                .filter(e -> Endpoint.SOURCE_LOCAL.equals(e.source()) == local)
                .map(Endpoint::address)
                .toList();
    }

    /** {@code 192.168.1.5:51820} → {@code 192.168.1.5}; IPv6 {@code [fd00::1]:51820} → {@code fd00::1}. */
    static List<String> hosts(List<String> endpoints) {
        return endpoints.stream()
                .map(e -> {
                    if (e.startsWith("[")) {
                        int close = e.indexOf(']');
                        return close > 0 ? e.substring(1, close) : e;
                    }
                    int colon = e.lastIndexOf(':');
                    return colon > 0 && e.indexOf(':') == colon ? e.substring(0, colon) : e;
                })
                .toList();
    }

    private Table<Device> table(boolean full) {
        return table(full, env().clock().getZone());
    }

    @Command(name = "list", description = "List your devices, or all devices of a VPC.")
    void list(
            @Option(names = "--vpc-id", paramLabel = "UUID", description = "Every device in this VPC.") UUID vpcId,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        List<Device> devices = vpcId == null
                ? api().devices().list(ListOptions.NONE).items()
                : api().vpcs().devices(vpcId, ListOptions.NONE).items();
        out().list(table(full), devices);
    }

    @Command(name = "get", description = "Show one device.")
    void get(
            @ArgGroup(multiplicity = "1") IdArgument.Device device,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        out().item(table(full), api().devices().get(device.id()));
    }

    @Command(name = "update", description = "Change a device's hostname or security group.")
    void update(
            @ArgGroup(multiplicity = "1") IdArgument.Device device,
            @Option(names = "--hostname", description = "New hostname.") String hostname,
            @Option(
                            names = "--security-group-id",
                            paramLabel = "UUID",
                            description = "Move it into this security group.")
                    UUID sg) {
        if (hostname == null && sg == null) {
            throw CliException.usage("nothing to update: give --hostname and/or --security-group-id");
        }
        UpdateDevice u = UpdateDevice.empty();
        if (hostname != null) {
            u = u.withHostname(hostname);
        }
        if (sg != null) {
            u = u.withSecurityGroupId(sg);
        }
        out().item(table(false), api().devices().update(device.id(), u));
        out().success("successfully updated");
    }

    @Command(name = "delete", description = "Delete a device; its addresses are released.")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.Device device) {
        out().item(table(false), api().devices().delete(device.id()));
        out().success("successfully deleted");
    }
}
