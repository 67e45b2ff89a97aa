package io.nexodus.nexctl.commands;

import io.nexodus.api.model.AuditEvent;
import io.nexodus.nexctl.output.Table;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl audit ...}: the service's audit log. */
@Command(
        name = "audit",
        description = "The service's audit log: changes made through the API and logins (administrators only).")
public final class AuditCommand extends BaseCommand {

    static Table<AuditEvent> table() {
        return Table.<AuditEvent>builder()
                .col("ID", AuditEvent::id)
                .col("TIME", AuditEvent::time)
                .col("ACTOR", AuditCommand::actor)
                .col("SOURCE", AuditEvent::source)
                .col("ACTION", AuditEvent::action)
                .col("TARGET", AuditEvent::target)
                .col("STATUS", AuditEvent::status)
                .build();
    }

    private static String actor(AuditEvent e) {
        String who = e.actorName() != null
                ? e.actorName()
                : e.actorId() == null ? "" : e.actorId().toString();
        return e.actorKind() + ":" + who;
    }

    @Command(
            name = "list",
            description = {
                "List audit log entries, newest first. For the next page pass the last ID shown as --before.",
                "Entries are kept for 90 days."
            })
    void list(
            @Option(
                            names = "--since",
                            paramLabel = "DURATION",
                            converter = GoDuration.class,
                            description = "Only entries of the last DURATION, e.g. 30m, 24h.")
                    Duration since,
            @Option(
                            names = "--actor",
                            paramLabel = "NAME|ID",
                            description = "Only entries of this actor: a username, or a user, reg key or device id.")
                    String actor,
            @Option(
                            names = "--action",
                            paramLabel = "ACTION",
                            description = "Only this action, e.g. login or 'DELETE /api/devices/{id}'.")
                    String action,
            @Option(
                            names = "--limit",
                            paramLabel = "N",
                            description = "At most N entries (1 to 1000; the service's default is 100).")
                    Integer limit,
            @Option(names = "--before", paramLabel = "ID", description = "Only entries older than this entry ID.")
                    Long before) {
        Instant from = since == null ? null : env().clock().instant().minus(since);
        out().list(table(), api().audit().list(limit, before, from, actor, action));
    }
}
