package io.nexodus.nexctl.commands;

import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.output.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl relay ...}: the public DERP relays agents may use ({@code /api/relays}). */
@Command(
        name = "relay",
        aliases = {"relays"},
        description = {
            "Public DERP relays: where agents relay WireGuard over HTTPS when a peer cannot be reached directly.",
            "Region 900 is the relay built into the service; administrators add more (902-999)."
        })
public final class RelayCommand extends BaseCommand {

    static Table<RelayRegion> table(boolean full) {
        return Table.<RelayRegion>builder()
                .col("REGION ID", RelayRegion::regionId)
                .col("CODE", RelayRegion::regionCode)
                .col("HOSTNAME", r -> node(r).hostName())
                .col("DERP PORT", r -> node(r).derpPort())
                .col("STUN PORT", r -> node(r).stunPort() < 0 ? "-" : Integer.toString(node(r).stunPort()))
                .col("BUILT IN", RelayRegion::builtIn)
                .when(
                        full,
                        b -> b.col("NAME", RelayRegion::regionName)
                                .col("URL", r -> node(r).url())
                                .col("DIAL IPV4", r -> nullToEmpty(node(r).ipv4()))
                                .col("DIAL IPV6", r -> nullToEmpty(node(r).ipv6()))
                                .col("CUSTOM CA", r -> node(r).customCa()))
                .build();
    }

    private static RelayNode node(RelayRegion r) {
        return r.nodes().isEmpty()
                ? new RelayNode("", r.regionId(), "", null, null, 0, -1, "", false, null)
                : r.nodes().getFirst();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Command(name = "list", description = "List the public DERP relays (what agents receive from GET /api/relays).")
    void list(
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        var map = api().relays().list();
        if (out().tabular()) {
            out().list(table(full), map.sorted());
        } else {
            out().value(map, "");
        }
    }

    @Command(
            name = "create",
            description = "Add a public DERP relay, e.g. a `nexd relayderp` on a public host (administrators).")
    void create(
            @Option(
                            names = "--region-code",
                            required = true,
                            paramLabel = "CODE",
                            description = "Unique short code: lower-case letters, digits and '-' (e.g. eu-west).")
                    String code,
            @Option(
                            names = "--hostname",
                            required = true,
                            paramLabel = "NAME",
                            description = "The relay's TLS certificate name (DNS name or IP address).")
                    String hostname,
            @Option(names = "--region-id", paramLabel = "ID", description = "902-999 (default: the lowest free one).")
                    Integer regionId,
            @Option(
                            names = "--region-name",
                            paramLabel = "TEXT",
                            description = "Human-readable name (default: the code).")
                    String name,
            @Option(names = "--derp-port", paramLabel = "PORT", description = "HTTPS port of the relay (default 443).")
                    Integer derpPort,
            @Option(
                            names = "--stun-port",
                            paramLabel = "PORT",
                            description = "UDP STUN port on the relay host (default 3478; -1: none).")
                    Integer stunPort,
            @Option(
                            names = "--ipv4",
                            paramLabel = "ADDR",
                            description = "Dial this IPv4 address instead of resolving the name.")
                    String ipv4,
            @Option(
                            names = "--ipv6",
                            paramLabel = "ADDR",
                            description = "Dial this IPv6 address instead of resolving the name.")
                    String ipv6,
            @Option(
                            names = "--relay-ca",
                            paramLabel = "FILE",
                            description =
                                    "PEM of the CA that issued the relay's certificate, when it is not publicly trusted "
                                            + "(e.g. the ca.crt of `nexd relayderp --certmode self-signed`).")
                    Path caCert,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        String caPem = null;
        if (caCert != null) {
            try {
                caPem = Files.readString(caCert, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw CliException.usage("--relay-ca: cannot read " + caCert + ": " + e.getMessage());
            }
        }
        RelayRegion r = api().relays()
                .create(new AddRelay(regionId, code, name, hostname, ipv4, ipv6, derpPort, stunPort, caPem));
        out().item(table(full), r);
    }

    @Command(name = "delete", description = "Remove a public DERP relay an administrator added (administrators).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.Region region) {
        out().item(table(false), api().relays().delete(region.id()));
        out().success("successfully deleted");
    }
}
