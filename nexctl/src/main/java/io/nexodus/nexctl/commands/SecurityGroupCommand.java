package io.nexodus.nexctl.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.output.Table;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl security-group ...}. */
@Command(
        name = "security-group",
        aliases = {"security-groups", "sg"},
        description = {
            "Security groups: the traffic devices accept (inbound) and send (outbound).",
            "No rules means allow all. Rules are a JSON array, e.g.",
            "'[{\"ip_protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,\"ip_ranges\":[\"10.0.0.0/8\"]}]'",
            "ip_protocol: \"\" (any), ipv4, ipv6, icmp, icmpv4, icmpv6, tcp, udp;",
            "from_port/to_port 0 and 0 = any port; ip_ranges: IPs, CIDRs or a-b ranges",
            "(empty = any)."
        })
public final class SecurityGroupCommand extends BaseCommand {

    static Table<SecurityGroup> table() {
        return Table.<SecurityGroup>builder()
                .col("SECURITY GROUP ID", SecurityGroup::id)
                .col("DESCRIPTION", SecurityGroup::description)
                .col("VPC ID", SecurityGroup::vpcId)
                .col("INBOUND RULES", g -> rules(g.inboundRules(), "from"))
                .col("OUTBOUND RULES", g -> rules(g.outboundRules(), "to"))
                .build();
    }

    /** {@code tcp 22 from 10.0.0.0/8; icmp}: one readable clause per rule; "" for none (allow all). */
    static String rules(List<SecurityRule> rules, String direction) {
        if (rules == null || rules.isEmpty()) {
            return "";
        }
        return rules.stream()
                .map(r -> {
                    StringBuilder sb = new StringBuilder(
                            r.ipProtocol() == null || r.ipProtocol().isEmpty() ? "any" : r.ipProtocol());
                    if (r.fromPort() != 0 || r.toPort() != 0) {
                        sb.append(' ')
                                .append(
                                        r.fromPort() == r.toPort()
                                                ? String.valueOf(r.fromPort())
                                                : r.fromPort() + "-" + r.toPort());
                    }
                    List<String> ranges = r.ipRanges() == null
                            ? List.of()
                            : r.ipRanges().stream()
                                    .filter(s -> s != null && !s.isEmpty())
                                    .toList();
                    if (!ranges.isEmpty()) {
                        sb.append(' ').append(direction).append(' ').append(String.join(",", ranges));
                    }
                    return sb.toString();
                })
                .collect(Collectors.joining("; "));
    }

    @Command(name = "list", description = "List the security groups of your organizations.")
    void list() {
        out().list(table(), api().securityGroups().list(ListOptions.NONE).items());
    }

    @Command(name = "get", description = "Show one security group.")
    void get(@ArgGroup(multiplicity = "1") IdArgument.SecurityGroup group) {
        out().item(table(), api().securityGroups().get(group.id()));
    }

    @Command(name = "create", description = "Create a security group in a VPC.")
    void create(
            @Option(names = "--vpc-id", paramLabel = "UUID", description = "The VPC (default: your default VPC).")
                    UUID vpcId,
            @Option(names = "--description", defaultValue = "", description = "What it is for.") String description,
            @Option(names = "--inbound-rules", paramLabel = "JSON", description = "JSON array of rules.")
                    String inbound,
            @Option(names = "--outbound-rules", paramLabel = "JSON", description = "JSON array of rules.")
                    String outbound) {
        List<SecurityRule> in = rulesOrEmpty("--inbound-rules", inbound); // bad input fails before anything is sent
        List<SecurityRule> out = rulesOrEmpty("--outbound-rules", outbound);
        UUID vpc = vpcId != null ? vpcId : session().currentUserId();
        out().item(table(), api().securityGroups().create(new AddSecurityGroup(description, vpc, in, out)));
    }

    @Command(name = "update", description = "Change a security group; '[]' clears a rule list.")
    void update(
            @ArgGroup(multiplicity = "1") IdArgument.SecurityGroup group,
            @Option(names = "--description", description = "New description.") String description,
            @Option(
                            names = "--inbound-rules",
                            paramLabel = "JSON",
                            description = "JSON array of rules (replaces them).")
                    String inbound,
            @Option(
                            names = "--outbound-rules",
                            paramLabel = "JSON",
                            description = "JSON array of rules (replaces them).")
                    String outbound) {
        if (description == null && inbound == null && outbound == null) {
            throw CliException.usage("nothing to update: give --description, --inbound-rules or --outbound-rules");
        }
        out().item(
                        table(),
                        api().securityGroups()
                                .update(
                                        group.id(),
                                        new UpdateSecurityGroup(
                                                description,
                                                inbound == null ? null : rules("--inbound-rules", inbound),
                                                outbound == null ? null : rules("--outbound-rules", outbound))));
        out().success("successfully updated");
    }

    @Command(
            name = "delete",
            description = "Delete a security group (not a VPC's default one; not while devices use it).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.SecurityGroup group) {
        out().item(table(), api().securityGroups().delete(group.id()));
        out().success("successfully deleted");
    }

    private static List<SecurityRule> rulesOrEmpty(String flag, String json) {
        return json == null ? List.of() : rules(flag, json);
    }

    private static List<SecurityRule> rules(String flag, String json) {
        return json(flag, json, new TypeReference<List<SecurityRule>>() {});
    }
}
