package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.User;
import io.nexodus.nexctl.output.Table;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl user ...}. */
@Command(name = "user", aliases = "users", description = "Users: who you are, delete yourself, leave an organization.")
public final class UserCommand extends BaseCommand {

    static Table<User> table() {
        return Table.<User>builder()
                .col("USER ID", User::id)
                .col("USER NAME", User::username)
                .build();
    }

    @Command(name = "get-current", description = "Show the logged-in user.")
    void getCurrent() {
        out().item(table(), api().users().me());
    }

    @Command(name = "list", description = "List users (the service shows you yourself).")
    void list() {
        out().list(table(), api().users().list(ListOptions.NONE).items());
    }

    @Command(name = "delete", description = "Delete a user (yourself; fails while you still own devices).")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.User user) {
        out().item(table(), api().users().delete(user.id()));
        out().success("successfully deleted");
    }

    @Command(name = "remove-user", description = "Remove a user from an organization.")
    void removeUser(
            @ArgGroup(multiplicity = "1") IdArgument.User user,
            @Option(
                            names = "--organization-id",
                            required = true,
                            paramLabel = "UUID",
                            description = "The organization.")
                    UUID orgId) {
        api().users().removeFromOrganization(user.id(), orgId);
        out().success("successfully removed user " + user.id() + " from organization " + orgId);
    }
}
