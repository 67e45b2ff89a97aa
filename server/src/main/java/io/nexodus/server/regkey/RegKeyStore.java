package io.nexodus.server.regkey;

import io.nexodus.api.model.Notice;
import io.nexodus.api.model.RegKey;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of registration keys ({@code reg_keys}). Only the token's SHA-256 is stored; deleting a key clears it, so
 * the token stops working at once. Queries skip deleted keys.
 */
public final class RegKeyStore {
    private static final String COLS =
            "id, owner_id, vpc_id, organization_id, description, device_id, expires_at, security_group_id, settings";

    /** A key with the organization its VPC belongs to (for authorization). */
    public record Row(RegKey key, UUID organizationId) {}

    private static RegKey map(ResultSet rs) throws SQLException {
        return new RegKey(
                Cols.uuid(rs, "id"),
                Cols.uuid(rs, "owner_id"),
                Cols.uuid(rs, "vpc_id"),
                null,
                null,
                rs.getString("description"),
                Cols.uuid(rs, "device_id"),
                Cols.instant(rs, "expires_at"),
                Cols.uuid(rs, "security_group_id"),
                JsonText.map(rs.getString("settings")));
    }

    public Optional<Row> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM reg_keys WHERE id = ? AND deleted_at IS NULL",
                rs -> new Row(map(rs), Cols.uuid(rs, "organization_id")),
                id);
    }

    /** Keys the user created or whose organization it owns, oldest first. */
    public List<RegKey> listManagedBy(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM reg_keys WHERE deleted_at IS NULL AND (owner_id = ? OR organization_id IN ("
                        + MembershipStore.OWNED_ORGS + ")) ORDER BY created_at",
                RegKeyStore::map,
                userId,
                userId);
    }

    public void insert(Tx tx, RegKey k, UUID orgId, String tokenHash) throws SQLException {
        tx.update(
                "INSERT INTO reg_keys (id, owner_id, vpc_id, organization_id, token_hash, description, device_id, expires_at, security_group_id, "
                        + "settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                k.id(),
                k.ownerId(),
                k.vpcId(),
                orgId,
                tokenHash,
                k.description(),
                k.deviceId(),
                k.expiresAt(),
                k.securityGroupId(),
                JsonText.write(k.settings()),
                tx.now(),
                tx.now());
        tx.signal(Topics.notice(Notice.REG_KEYS, orgId));
    }

    /** Writes the key's description, expiry, security group and settings. */
    public void update(Tx tx, RegKey k) throws SQLException {
        tx.update(
                "UPDATE reg_keys SET description = ?, expires_at = ?, security_group_id = ?, settings = ?, updated_at = ? WHERE id = ?",
                k.description(),
                k.expiresAt(),
                k.securityGroupId(),
                JsonText.write(k.settings()),
                tx.now(),
                k.id());
    }

    public void delete(Tx tx, UUID id) throws SQLException {
        tx.update("UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE id = ?", tx.now(), id);
    }

    public void deleteAllInVpc(Tx tx, UUID vpcId) throws SQLException {
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE vpc_id = ? AND deleted_at IS NULL",
                tx.now(),
                vpcId);
    }

    public void deleteAllInOrganization(Tx tx, UUID orgId) throws SQLException {
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE organization_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId);
        tx.signal(Topics.notice(Notice.REG_KEYS, orgId));
    }

    public void deleteOwnedInOrganization(Tx tx, UUID orgId, UUID ownerId) throws SQLException {
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE organization_id = ? AND owner_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId,
                ownerId);
        tx.signal(Topics.notice(Notice.REG_KEYS, orgId));
    }

    public void deleteOwnedBy(Tx tx, UUID ownerId) throws SQLException {
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE owner_id = ? AND deleted_at IS NULL",
                tx.now(),
                ownerId);
    }

    /** Keys that named a deleted security group fall back to the VPC's default group. */
    public void clearSecurityGroup(Tx tx, UUID groupId) throws SQLException {
        tx.update("UPDATE reg_keys SET security_group_id = NULL WHERE security_group_id = ?", groupId);
    }
}
