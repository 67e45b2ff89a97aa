package io.nexodus.server.organization;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceRoutes;
import io.nexodus.server.device.Devices;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.vpc.VpcRoutes;
import io.nexodus.server.vpc.Vpcs;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/** Organization rows and the cascades shared by organization, membership and user deletion. */
public final class Organizations {
    public static final String COLS = "id, name, description";

    private Organizations() {}

    public static Organization map(ResultSet rs) throws SQLException {
        return new Organization(Cols.uuid(rs, "id"), rs.getString("name"), rs.getString("description"));
    }

    public static Optional<Organization> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM organizations WHERE id = ? AND deleted_at IS NULL", Organizations::map, id);
    }

    /** Deletes an organization without devices, with its VPCs, keys, groups, memberships and invitations. */
    public static void delete(Tx tx, Ipam ipam, UUID orgId) throws SQLException {
        tx.lockRevisions();
        if (tx.exists("SELECT 1 FROM devices WHERE organization_id = ? AND deleted_at IS NULL", orgId)) {
            throw ApiError.notAllowed("the organization still has devices");
        }
        for (Vpc v : tx.query(
                "SELECT " + Vpcs.COLS + " FROM vpcs WHERE organization_id = ? AND deleted_at IS NULL",
                Vpcs::map,
                orgId)) {
            VpcRoutes.deleteVpc(tx, ipam, v);
        }
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE organization_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId);
        tx.update("DELETE FROM user_organizations WHERE organization_id = ?", orgId);
        tx.update(
                "UPDATE invitations SET deleted_at = ? WHERE organization_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId);
        tx.update("UPDATE organizations SET name = NULL, deleted_at = ? WHERE id = ?", tx.now(), orgId);
    }

    /** Removes a member and what it owns in the organization: its devices (addresses released) and registration keys. */
    public static void removeMember(Tx tx, Ipam ipam, UUID orgId, UUID userId) throws SQLException {
        tx.lockRevisions();
        for (Device d : tx.query(
                "SELECT " + Devices.COLS
                        + " FROM devices WHERE organization_id = ? AND owner_id = ? AND deleted_at IS NULL",
                Devices::map,
                orgId,
                userId)) {
            DeviceRoutes.deleteDevice(tx, ipam, d);
        }
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE organization_id = ? AND owner_id = ? AND deleted_at IS NULL",
                tx.now(),
                orgId,
                userId);
        tx.update("DELETE FROM user_organizations WHERE organization_id = ? AND user_id = ?", orgId, userId);
    }

    /** True if the organization is some user's default organization (same id as the user). */
    public static boolean isDefault(Tx tx, UUID orgId) throws SQLException {
        return tx.exists("SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL", orgId);
    }
}
