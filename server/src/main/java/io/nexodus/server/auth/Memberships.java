package io.nexodus.server.auth;

import io.nexodus.api.model.Roles;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Organization roles of users, and the two checks every handler uses: {@link #requireMember} (404 otherwise, so a
 * non-member cannot even learn the resource exists) and {@link #requireOwner} (404 for non-members, 403 for members).
 */
public final class Memberships {
    /** SQL: organization ids the user (parameter) belongs to with any role. */
    public static final String MEMBER_ORGS = "SELECT organization_id FROM user_organizations WHERE user_id = ?";
    /** SQL: organization ids the user (parameter) owns. */
    public static final String OWNED_ORGS =
            "SELECT organization_id FROM user_organizations WHERE user_id = ? AND roles LIKE '%\"owner\"%'";

    private Memberships() {}

    public static Set<String> roles(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return tx.queryOne(
                        "SELECT roles FROM user_organizations WHERE user_id = ? AND organization_id = ?",
                        rs -> new TreeSet<>(JsonText.strings(rs.getString(1))),
                        userId,
                        orgId)
                .map(s -> (Set<String>) s)
                .orElse(Set.of());
    }

    public static boolean isMember(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return !roles(tx, userId, orgId).isEmpty();
    }

    public static boolean isOwner(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return roles(tx, userId, orgId).contains(Roles.OWNER);
    }

    /** Throws 404 ({@code resource}) unless the user belongs to the organization. */
    public static void requireMember(Tx tx, UUID userId, UUID orgId, String resource) throws SQLException {
        if (!isMember(tx, userId, orgId)) {
            throw ApiError.notFound(resource);
        }
    }

    /** Throws 404 for non-members and 403 for members without the owner role. */
    public static void requireOwner(Tx tx, UUID userId, UUID orgId, String resource) throws SQLException {
        Set<String> r = roles(tx, userId, orgId);
        if (r.isEmpty()) {
            throw ApiError.notFound(resource);
        }
        if (!r.contains(Roles.OWNER)) {
            throw ApiError.forbidden("only an owner of the organization may do this");
        }
    }

    public static void add(Tx tx, UUID userId, UUID orgId, List<String> roles) throws SQLException {
        Set<String> merged = new TreeSet<>(roles(tx, userId, orgId));
        merged.addAll(roles);
        if (tx.update(
                        "UPDATE user_organizations SET roles = ? WHERE user_id = ? AND organization_id = ?",
                        JsonText.write(List.copyOf(merged)),
                        userId,
                        orgId)
                == 0) {
            tx.update(
                    "INSERT INTO user_organizations (user_id, organization_id, roles) VALUES (?, ?, ?)",
                    userId,
                    orgId,
                    JsonText.write(List.copyOf(merged)));
        }
    }

    public static long ownerCount(Tx tx, UUID orgId) throws SQLException {
        return tx.count(
                "SELECT COUNT(*) FROM user_organizations WHERE organization_id = ? AND roles LIKE '%\"owner\"%'",
                orgId);
    }
}
