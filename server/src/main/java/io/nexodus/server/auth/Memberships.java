package io.nexodus.server.auth;

import io.nexodus.api.model.Roles;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Organization roles of users, and the two checks every resource uses: {@link #requireMember} (404 otherwise, so a
 * non-member cannot even learn the resource exists) and {@link #requireOwner} (404 for non-members, 403 for members).
 */
public final class Memberships {
    private final MembershipStore store;

    public Memberships(MembershipStore store) {
        this.store = store;
    }

    public MembershipStore store() {
        return store;
    }

    public Set<String> roles(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return store.roles(tx, userId, orgId);
    }

    public boolean isMember(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return !roles(tx, userId, orgId).isEmpty();
    }

    public boolean isOwner(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return roles(tx, userId, orgId).contains(Roles.OWNER);
    }

    /** Throws 404 ({@code resource}) unless the user belongs to the organization. */
    public void requireMember(Tx tx, UUID userId, UUID orgId, String resource) throws SQLException {
        if (!isMember(tx, userId, orgId)) {
            throw ApiError.notFound(resource);
        }
    }

    /** Throws 404 for non-members and 403 for members without the owner role. */
    public void requireOwner(Tx tx, UUID userId, UUID orgId, String resource) throws SQLException {
        Set<String> r = roles(tx, userId, orgId);
        if (r.isEmpty()) {
            throw ApiError.notFound(resource);
        }
        if (!r.contains(Roles.OWNER)) {
            throw ApiError.forbidden("only an owner of the organization may do this");
        }
    }

    /** Adds roles to the user's membership (a new membership if it had none). */
    public void add(Tx tx, UUID userId, UUID orgId, List<String> roles) throws SQLException {
        Set<String> merged = new TreeSet<>(roles(tx, userId, orgId));
        merged.addAll(roles);
        store.put(tx, userId, orgId, List.copyOf(merged));
    }

    /** True if the user is the organization's only owner. */
    public boolean isLastOwner(Tx tx, UUID userId, UUID orgId) throws SQLException {
        return isOwner(tx, userId, orgId) && store.ownerCount(tx, orgId) <= 1;
    }
}
