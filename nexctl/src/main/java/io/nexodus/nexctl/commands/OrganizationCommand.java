package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.UserOrganization;
import io.nexodus.nexctl.output.Table;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl organization ...}. */
@Command(
        name = "organization",
        aliases = {"organizations", "org"},
        description = "Organizations you belong to, and their members.",
        subcommands = OrganizationCommand.Users.class)
public final class OrganizationCommand extends BaseCommand {

    static Table<Organization> table() {
        return Table.<Organization>builder()
                .col("ORGANIZATION ID", Organization::id)
                .col("NAME", Organization::name)
                .col("DESCRIPTION", Organization::description)
                .build();
    }

    @Command(name = "list", description = "List your organizations.")
    void list() {
        out().list(table(), api().organizations().list(ListOptions.NONE).items());
    }

    @Command(name = "get", description = "Show one organization.")
    void get(@ArgGroup(multiplicity = "1") IdArgument.Organization org) {
        out().item(table(), api().organizations().get(org.id()));
    }

    @Command(name = "create", description = "Create an organization; you become its owner.")
    void create(
            @Option(names = "--name", required = true, description = "A unique name.") String name,
            @Option(names = "--description", defaultValue = "", description = "What it is for.") String description) {
        out().item(table(), api().organizations().create(new AddOrganization(name, description)));
    }

    @Command(
            name = "delete",
            description = "Delete an organization (owner only; not your default one; no devices left).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.Organization org) {
        out().item(table(), api().organizations().delete(org.id()));
        out().success("successfully deleted");
    }

    /** {@code nexctl organization users ...}. */
    @Command(name = "users", aliases = "user", description = "Members of an organization.")
    public static final class Users extends BaseCommand {

        static Table<UserOrganization> table() {
            return Table.<UserOrganization>builder()
                    .col("ORGANIZATION ID", UserOrganization::organizationId)
                    .col("USER ID", UserOrganization::userId)
                    .col("USER NAME", m -> m.user() == null ? null : m.user().username())
                    .col("FULL NAME", m -> m.user() == null ? null : m.user().fullName())
                    .col("ROLES", UserOrganization::roles)
                    .build();
        }

        @Command(name = "list", description = "List the members and their roles.")
        void list(@ArgGroup(multiplicity = "1") IdArgument.Organization org) {
            out().list(
                            table(),
                            api().organizations()
                                    .listUsers(org.id(), ListOptions.NONE)
                                    .items());
        }

        @Command(
                name = "delete",
                description = "Remove a member (owner only; also removes their devices and keys there).")
        void delete(
                @Option(
                                names = "--organization-id",
                                required = true,
                                paramLabel = "UUID",
                                description = "The organization.")
                        UUID orgId,
                @Option(
                                names = "--user-id",
                                required = true,
                                paramLabel = "UUID",
                                description = "The member to remove.")
                        UUID userId) {
            api().organizations().removeUser(orgId, userId);
            out().success("successfully removed user " + userId + " from organization " + orgId);
        }
    }
}
