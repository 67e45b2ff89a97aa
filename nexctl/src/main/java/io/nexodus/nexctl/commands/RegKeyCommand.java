package io.nexodus.nexctl.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.auth.CredentialStore;
import io.nexodus.nexctl.output.Cells;
import io.nexodus.nexctl.output.Table;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl reg-key ...}: registration keys ({@code RK:} tokens) for {@code nexd --reg-key}. */
@Command(
        name = "reg-key",
        aliases = {"reg-keys", "regkey"},
        description = {
            "Registration keys: let `nexd --reg-key` join a VPC without a login.",
            "Give nexd the CLI FLAGS column: --reg-key <service-url>#RK:... The service",
            "keeps only a hash of the token, so it is shown once, by `reg-key create`."
        })
public final class RegKeyCommand extends BaseCommand {
    static final String TOKEN_NOT_SHOWN = "(shown only at creation)";

    static Table<RegKey> table(URI serviceUrl, boolean full, ZoneId zone) {
        return Table.<RegKey>builder()
                .col("TOKEN ID", RegKey::id)
                .col("DESCRIPTION", RegKey::description)
                .col("CLI FLAGS", k -> cliFlags(serviceUrl, k))
                .when(
                        full,
                        b -> b.col("VPC ID", RegKey::vpcId)
                                .col("SECURITY GROUP ID", RegKey::securityGroupId)
                                .col("SINGLE USE", RegKey::singleUse)
                                .col("EXPIRES AT", k -> Cells.localTime(k.expiresAt(), zone))
                                .col(
                                        "SETTINGS",
                                        k -> k.settings() == null
                                                        || k.settings().isEmpty()
                                                ? ""
                                                : k.settings().toString()))
                .build();
    }

    /** {@code --reg-key https://service#RK:...}: what to pass to nexd (only when the token is known). */
    static String cliFlags(URI serviceUrl, RegKey k) {
        if (k.bearerToken() == null || k.bearerToken().isEmpty()) {
            return TOKEN_NOT_SHOWN;
        }
        return "--reg-key " + CredentialStore.key(serviceUrl) + "#" + k.bearerToken();
    }

    private Table<RegKey> table(boolean full) {
        return table(session().serviceUrl(), full, env().clock().getZone());
    }

    @Command(name = "list", description = "List your registration keys.")
    void list(
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        out().list(table(full), api().regKeys().list(ListOptions.NONE).items());
    }

    @Command(name = "get", description = "Show one registration key.")
    void get(
            @ArgGroup(multiplicity = "1") IdArgument.RegKey regKey,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        out().item(table(full), api().regKeys().get(regKey.id()));
    }

    @Command(name = "create", description = "Create a registration key and show its token (only this once).")
    void create(
            @Option(
                            names = "--vpc-id",
                            paramLabel = "UUID",
                            description = "The VPC devices join (default: your default VPC).")
                    UUID vpcId,
            @Option(names = "--security-group-id", paramLabel = "UUID", description = "Security group of the devices.")
                    UUID sg,
            @Option(names = "--description", defaultValue = "", description = "What it is for.") String description,
            @Option(names = "--single-use", description = "The key registers one device only.") boolean singleUse,
            @Option(
                            names = "--expiration",
                            paramLabel = "DURATION",
                            converter = GoDuration.class,
                            description = "Expires after this long (e.g. 30m, 24h, 7d).")
                    Duration expiration,
            @Option(names = "--settings", paramLabel = "JSON", description = "Agent settings as a JSON object.")
                    String settings,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        Map<String, JsonNode> parsedSettings = settings(settings); // bad input fails before anything is sent
        UUID vpc = vpcId != null ? vpcId : session().currentUserId();
        Instant expiresAt = expiration == null ? null : env().clock().instant().plus(expiration);
        RegKey k =
                api().regKeys().create(new AddRegKey(vpc, null, description, singleUse, expiresAt, sg, parsedSettings));
        out().item(table(full), k);
    }

    @Command(name = "update", description = "Change a registration key.")
    void update(
            @ArgGroup(multiplicity = "1") IdArgument.RegKey regKey,
            @Option(
                            names = "--security-group-id",
                            paramLabel = "UUID",
                            description = "Devices it registers join this security group.")
                    UUID sg,
            @Option(names = "--description", description = "New description.") String description,
            @Option(
                            names = "--expiration",
                            paramLabel = "DURATION",
                            converter = GoDuration.class,
                            description = "Expires this long from now.")
                    Duration expiration,
            @Option(names = "--no-expiration", description = "Remove the expiry.") boolean noExpiration,
            @Option(names = "--settings", paramLabel = "JSON", description = "Agent settings as a JSON object.")
                    String settings,
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details.")
                    boolean full) {
        if (expiration != null && noExpiration) {
            throw CliException.usage("--expiration and --no-expiration exclude each other");
        }
        Instant expiresAt = noExpiration
                ? UpdateRegKey.NO_EXPIRY
                : expiration == null ? null : env().clock().instant().plus(expiration);
        if (sg == null && description == null && expiresAt == null && settings == null) {
            throw CliException.usage(
                    "nothing to update: give --description, --security-group-id, --expiration, --no-expiration or --settings");
        }
        out().item(
                        table(full),
                        api().regKeys()
                                .update(regKey.id(), new UpdateRegKey(description, expiresAt, sg, settings(settings))));
        out().success("successfully updated");
    }

    @Command(name = "delete", description = "Delete a registration key (devices it registered stay).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.RegKey regKey) {
        out().item(table(false), api().regKeys().delete(regKey.id()));
        out().success("successfully deleted");
    }

    private static Map<String, JsonNode> settings(String json) {
        return json == null ? null : json("--settings", json, new TypeReference<Map<String, JsonNode>>() {});
    }
}
