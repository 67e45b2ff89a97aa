package io.nexodus.server.organization;

import io.nexodus.api.model.Notice;
import io.nexodus.api.model.Organization;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of organizations ({@code organizations}). Names are unique among live organizations (a deleted one gives
 * its name up). Queries skip deleted organizations unless they say otherwise.
 */
public final class OrganizationStore {
    private static final String COLS = "id, name, description";

    private static Organization map(ResultSet rs) throws SQLException {
        return new Organization(Cols.uuid(rs, "id"), rs.getString("name"), rs.getString("description"));
    }

    public Optional<Organization> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM organizations WHERE id = ? AND deleted_at IS NULL",
                OrganizationStore::map,
                id);
    }

    public Optional<UUID> idByName(Tx tx, String name) throws SQLException {
        return tx.queryOne("SELECT id FROM organizations WHERE name = ?", rs -> Cols.uuid(rs, "id"), name);
    }

    /** Organizations the user belongs to, by name. */
    public List<Organization> listForMember(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM organizations WHERE deleted_at IS NULL AND id IN ("
                        + MembershipStore.MEMBER_ORGS + ") ORDER BY name",
                OrganizationStore::map,
                userId);
    }

    public void insert(Tx tx, Organization o) throws SQLException {
        tx.update(
                "INSERT INTO organizations (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                o.id(),
                o.name(),
                o.description(),
                tx.now(),
                tx.now());
        tx.signal(Topics.notice(Notice.ORGANIZATIONS, o.id()));
    }

    /** Deletes the organization and gives its name up. */
    public void softDelete(Tx tx, UUID id) throws SQLException {
        tx.update("UPDATE organizations SET name = NULL, deleted_at = ? WHERE id = ?", tx.now(), id);
        tx.signal(Topics.notice(Notice.ORGANIZATIONS, id));
    }

    /** True if the organization is some user's default organization (same id as the user). */
    public boolean isUsersDefault(Tx tx, UUID orgId) throws SQLException {
        return tx.exists("SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL", orgId);
    }
}
