package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Invitation;
import io.nexodus.api.model.Roles;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.output.Cells;
import io.nexodus.nexctl.output.Table;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl invitation ...}. */
@Command(
        name = "invitation",
        aliases = {"invitations", "inv"},
        description = "Invitations to join an organization.")
public final class InvitationCommand extends BaseCommand {

    static Table<Invitation> table(ZoneId zone) {
        return Table.<Invitation>builder()
                .col("INVITATION ID", Invitation::id)
                .col(
                        "ORGANIZATION",
                        i -> i.organization() != null && i.organization().name() != null
                                ? i.organization().name()
                                : i.organizationId())
                .col("FROM", i -> i.from() == null ? null : i.from().username())
                .col("EMAIL", i -> i.email() != null ? i.email() : i.userId() == null ? null : "user " + i.userId())
                .col("ROLES", Invitation::roles)
                .col("EXPIRES AT", i -> Cells.localTime(i.expiresAt(), zone))
                .build();
    }

    private Table<Invitation> table() {
        return table(env().clock().getZone());
    }

    @Command(name = "list", description = "List invitations to you and from organizations you own.")
    void list() {
        out().list(table(), api().invitations().list(ListOptions.NONE).items());
    }

    @Command(name = "get", description = "Show one invitation.")
    void get(@ArgGroup(multiplicity = "1") IdArgument.Invitation invitation) {
        out().item(table(), api().invitations().get(invitation.id()));
    }

    @Command(name = "create", description = "Invite a user (by id or e-mail) into an organization you own.")
    void create(
            @Option(names = "--user-id", paramLabel = "UUID", description = "Invite this user.") UUID userId,
            @Option(names = "--email", description = "Or invite whoever logs in with this e-mail address.")
                    String email,
            @Option(
                            names = "--organization-id",
                            paramLabel = "UUID",
                            description = "The organization (default: your default organization).")
                    UUID orgId,
            @Option(
                            names = "--role",
                            paramLabel = "ROLE",
                            completionCandidates = RoleNames.class,
                            description = "owner or member (repeatable; default member).")
                    List<String> roles) {
        if ((userId == null) == (email == null || email.isBlank())) {
            throw CliException.usage("give exactly one of --user-id and --email");
        }
        UUID org = orgId != null ? orgId : session().currentUserId();
        Invitation created = api().invitations()
                .create(new AddInvitation(
                        userId,
                        email == null ? null : email.strip(),
                        org,
                        roles == null || roles.isEmpty() ? null : roles));
        out().item(table(), created);
    }

    @Command(name = "accept", description = "Accept an invitation addressed to you.")
    void accept(@ArgGroup(multiplicity = "1") IdArgument.Invitation invitation) {
        api().invitations().accept(invitation.id());
        out().success("successfully accepted invitation " + invitation.id());
    }

    @Command(name = "delete", description = "Delete (decline or withdraw) an invitation.")
    void delete(@ArgGroup(multiplicity = "1") IdArgument.Invitation invitation) {
        api().invitations().delete(invitation.id());
        out().success("successfully deleted invitation " + invitation.id());
    }

    /** Completion candidates for --role. */
    static final class RoleNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Roles.ALL.iterator();
        }
    }
}
