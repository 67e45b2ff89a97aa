package io.nexodus.server.user;

import io.nexodus.api.model.Notice;
import io.nexodus.api.model.User;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of users ({@code users}) and their identities ({@code user_identities}: an identity provider's subject, as
 * kind {@code oidc:<issuer>}, or a verified e-mail address, kind {@link #EMAIL}; each identity belongs to one user).
 * Queries skip deleted users.
 */
public final class UserStore {
    /** The identity kind of a verified e-mail address. */
    public static final String EMAIL = "email";

    private static final String COLS = "id, username, full_name, picture";

    private static User map(ResultSet rs) throws SQLException {
        return new User(
                Cols.uuid(rs, "id"), rs.getString("username"), rs.getString("full_name"), rs.getString("picture"));
    }

    public Optional<User> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM users WHERE id = ? AND deleted_at IS NULL", UserStore::map, id);
    }

    /** The live user an identity belongs to. */
    public Optional<User> findByIdentity(Tx tx, String kind, String value) throws SQLException {
        return tx.queryOne(
                "SELECT u.id, u.username, u.full_name, u.picture FROM user_identities i JOIN users u ON u.id = i.user_id "
                        + "WHERE i.kind = ? AND i.identity_value = ? AND u.deleted_at IS NULL",
                UserStore::map,
                kind,
                value);
    }

    /** Who an identity belongs to (deleted users included). */
    public Optional<UUID> userIdByIdentity(Tx tx, String kind, String value) throws SQLException {
        return tx.queryOne(
                "SELECT user_id FROM user_identities WHERE kind = ? AND identity_value = ?",
                rs -> Cols.uuid(rs, "user_id"),
                kind,
                value);
    }

    public boolean hasIdentity(Tx tx, UUID userId, String kind, String value) throws SQLException {
        return tx.exists(
                "SELECT 1 FROM user_identities WHERE kind = ? AND identity_value = ? AND user_id = ?",
                kind,
                value,
                userId);
    }

    public void insert(Tx tx, User u, String idpId) throws SQLException {
        tx.update(
                "INSERT INTO users (id, idp_id, username, full_name, picture, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                u.id(),
                idpId,
                u.username(),
                u.fullName(),
                u.picture(),
                tx.now(),
                tx.now());
        tx.signal(Topics.notice(Notice.USERS, Topics.EVERYONE));
    }

    /** Writes the name, full name and picture. */
    public void updateProfile(Tx tx, User u) throws SQLException {
        tx.update(
                "UPDATE users SET username = ?, full_name = ?, picture = ?, updated_at = ? WHERE id = ?",
                u.username(),
                u.fullName(),
                u.picture(),
                tx.now(),
                u.id());
        tx.signal(Topics.notice(Notice.USERS, Topics.EVERYONE));
    }

    /** Gives the identity to the user (whoever had it before loses it). */
    public void putIdentity(Tx tx, String kind, String value, UUID userId) throws SQLException {
        tx.update("DELETE FROM user_identities WHERE kind = ? AND identity_value = ?", kind, value);
        addIdentity(tx, kind, value, userId);
    }

    public void addIdentity(Tx tx, String kind, String value, UUID userId) throws SQLException {
        tx.update("INSERT INTO user_identities (kind, identity_value, user_id) VALUES (?, ?, ?)", kind, value, userId);
    }

    /** Deletes the user: its identities go, so the same subject would become a new user. */
    public void softDelete(Tx tx, UUID id) throws SQLException {
        tx.update("DELETE FROM user_identities WHERE user_id = ?", id);
        tx.update("UPDATE users SET idp_id = NULL, deleted_at = ? WHERE id = ?", tx.now(), id);
        tx.signal(Topics.notice(Notice.USERS, Topics.EVERYONE));
    }
}
