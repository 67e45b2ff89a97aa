package io.nexodus.server.invitation;

import io.nexodus.api.model.Notice;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of invitations ({@code invitations}: to a user id, or to an e-mail address until a user with that verified
 * address exists). Accepted, declined and withdrawn invitations are deleted. Queries skip deleted invitations.
 */
public final class InvitationStore {
    private static final String COLS = "id, organization_id, user_id, email, from_id, roles, expires_at";

    /** An invitation as stored (the API's {@code Invitation} adds the organization and the inviting user). */
    public record Row(
            UUID id, UUID orgId, UUID userId, String email, UUID fromId, List<String> roles, Instant expiresAt) {}

    private static Row map(ResultSet rs) throws SQLException {
        return new Row(
                Cols.uuid(rs, "id"),
                Cols.uuid(rs, "organization_id"),
                Cols.uuid(rs, "user_id"),
                rs.getString("email"),
                Cols.uuid(rs, "from_id"),
                JsonText.strings(rs.getString("roles")),
                Cols.instant(rs, "expires_at"));
    }

    public Optional<Row> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM invitations WHERE id = ? AND deleted_at IS NULL", InvitationStore::map, id);
    }

    /** Invitations to the user (by id or one of its verified e-mail addresses) and from organizations it owns. */
    public List<Row> listVisibleTo(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS
                        + " FROM invitations WHERE deleted_at IS NULL AND (user_id = ? OR organization_id IN ("
                        + MembershipStore.OWNED_ORGS
                        + ") OR email IN (SELECT identity_value FROM user_identities WHERE kind = 'email' AND user_id = ?)) "
                        + "ORDER BY created_at",
                InvitationStore::map,
                userId,
                userId,
                userId);
    }

    /** An unexpired invitation into the organization for this user or address. */
    public Optional<UUID> pending(Tx tx, UUID orgId, UUID userId, String email) throws SQLException {
        return tx.queryOne(
                "SELECT id FROM invitations WHERE organization_id = ? AND deleted_at IS NULL AND expires_at > ? AND "
                        + "((user_id IS NOT NULL AND user_id = ?) OR (email IS NOT NULL AND email = ?))",
                rs -> Cols.uuid(rs, "id"),
                orgId,
                tx.now(),
                userId,
                email);
    }

    public void insert(Tx tx, Row r) throws SQLException {
        tx.update(
                "INSERT INTO invitations (id, organization_id, user_id, email, from_id, roles, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                r.id(),
                r.orgId(),
                r.userId(),
                r.email(),
                r.fromId(),
                JsonText.write(r.roles()),
                r.expiresAt(),
                tx.now());
        signal(tx, r);
    }

    public void delete(Tx tx, Row r) throws SQLException {
        tx.update("UPDATE invitations SET deleted_at = ? WHERE id = ?", tx.now(), r.id());
        signal(tx, r);
    }

    /** Tells the organization's members (owners see its invitations) and the invitee, if known, of a change. */
    private static void signal(Tx tx, Row r) {
        tx.signal(Topics.notice(Notice.INVITATIONS, r.orgId()));
        if (r.userId() != null) {
            tx.signal(Topics.notice(Notice.INVITATIONS, r.userId()));
        }
    }

    public void deleteAllInOrganization(Tx tx, UUID orgId) throws SQLException {
        tx.update(
                "UPDATE invitations SET deleted_at = ? WHERE organization_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId);
        tx.signal(Topics.notice(Notice.INVITATIONS, orgId));
    }

    /** Invitations to or from the user (user deletion). */
    public void deleteInvolving(Tx tx, UUID userId) throws SQLException {
        tx.update(
                "UPDATE invitations SET deleted_at = ? WHERE (user_id = ? OR from_id = ?) AND deleted_at IS NULL",
                tx.now(),
                userId,
                userId);
    }

    /** Open invitations to an e-mail address now go to the user who verified it. */
    public void attachToUser(Tx tx, String email, UUID userId) throws SQLException {
        tx.update(
                "UPDATE invitations SET user_id = ? WHERE email = ? AND user_id IS NULL AND deleted_at IS NULL",
                userId,
                email);
        tx.signal(Topics.notice(Notice.INVITATIONS, userId));
    }
}
