package io.nexodus.server.auth;

import io.nexodus.api.model.Notice;
import io.nexodus.api.model.User;
import io.nexodus.api.model.UserOrganization;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** The SQL of organization memberships ({@code user_organizations}: a user's roles in an organization). */
public final class MembershipStore {
    /** SQL: organization ids the user (parameter) belongs to with any role. */
    public static final String MEMBER_ORGS = "SELECT organization_id FROM user_organizations WHERE user_id = ?";
    /** SQL: organization ids the user (parameter) owns. */
    public static final String OWNED_ORGS =
            "SELECT organization_id FROM user_organizations WHERE user_id = ? AND roles LIKE '%\"owner\"%'";

    private static final String MEMBER_COLS =
            "uo.user_id, uo.organization_id, uo.roles, u.id, u.username, u.full_name, u.picture";

    /** The user's roles in the organization; empty if it is not a member. */
    public Set<String> roles(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return tx.queryOne(
                        "SELECT roles FROM user_organizations WHERE user_id = ? AND organization_id = ?",
                        rs -> (Set<String>) new TreeSet<>(JsonText.strings(rs.getString(1))),
                        userId,
                        orgId)
                .orElse(Set.of());
    }

    /** Sets the user's roles in the organization (a new membership if there was none). */
    public void put(Tx tx, UUID userId, UUID orgId, List<String> roles) throws SQLException {
        String text = JsonText.write(roles);
        if (tx.update(
                        "UPDATE user_organizations SET roles = ? WHERE user_id = ? AND organization_id = ?",
                        text,
                        userId,
                        orgId)
                == 0) {
            tx.update(
                    "INSERT INTO user_organizations (user_id, organization_id, roles) VALUES (?, ?, ?)",
                    userId,
                    orgId,
                    text);
        }
        signal(tx, orgId, userId);
    }

    public long ownerCount(Tx tx, UUID orgId) throws SQLException {
        return tx.count(
                "SELECT COUNT(*) FROM user_organizations WHERE organization_id = ? AND roles LIKE '%\"owner\"%'",
                orgId);
    }

    public List<UUID> organizationsOf(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT organization_id FROM user_organizations WHERE user_id = ?",
                rs -> Cols.uuid(rs, "organization_id"),
                userId);
    }

    /** Members of an organization with their user, by name. */
    public List<UserOrganization> members(Tx tx, UUID orgId) throws SQLException {
        return tx.query(
                "SELECT " + MEMBER_COLS + " FROM user_organizations uo JOIN users u ON u.id = uo.user_id "
                        + "WHERE uo.organization_id = ? AND u.deleted_at IS NULL ORDER BY u.full_name, u.username",
                MembershipStore::mapMember,
                orgId);
    }

    public Optional<UserOrganization> member(Tx tx, UUID orgId, UUID userId) throws SQLException {
        return tx.queryOne(
                "SELECT " + MEMBER_COLS + " FROM user_organizations uo JOIN users u ON u.id = uo.user_id "
                        + "WHERE uo.organization_id = ? AND uo.user_id = ? AND u.deleted_at IS NULL",
                MembershipStore::mapMember,
                orgId,
                userId);
    }

    public void remove(Tx tx, UUID orgId, UUID userId) throws SQLException {
        tx.update("DELETE FROM user_organizations WHERE organization_id = ? AND user_id = ?", orgId, userId);
        signal(tx, orgId, userId);
    }

    public void removeAll(Tx tx, UUID orgId) throws SQLException {
        tx.update("DELETE FROM user_organizations WHERE organization_id = ?", orgId);
        tx.signal(Topics.notice(Notice.ORGANIZATIONS, orgId));
    }

    /** The organization's members see its member list change; the user sees its own list of organizations change. */
    private static void signal(Tx tx, UUID orgId, UUID userId) {
        tx.signal(Topics.notice(Notice.ORGANIZATIONS, orgId));
        tx.signal(Topics.notice(Notice.ORGANIZATIONS, userId));
    }

    private static UserOrganization mapMember(ResultSet rs) throws SQLException {
        return new UserOrganization(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                JsonText.strings(rs.getString(3)),
                new User(rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getString(7)));
    }
}
