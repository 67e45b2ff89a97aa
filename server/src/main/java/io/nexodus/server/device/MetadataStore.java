package io.nexodus.server.device;

import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of device metadata ({@code device_metadata}: one row per device and key, the value as JSON text, the
 * device's VPC copied in for the VPC's watchers). Deleting a key keeps its row as a tombstone; setting it again
 * revives the row. Queries skip deleted keys unless they say otherwise.
 */
public final class MetadataStore {
    /** The columns {@link #map} reads (the watch feed reads them too). */
    public static final String COLS = "device_id, meta_key, vpc_id, meta_value, revision, deleted_at";

    public static DeviceMetadata map(ResultSet rs) throws SQLException {
        return new DeviceMetadata(
                Cols.uuid(rs, "device_id"),
                rs.getString("meta_key"),
                JsonText.tree(rs.getString("meta_value")),
                rs.getLong("revision"));
    }

    /** Every live key of a device, by key. */
    public List<DeviceMetadata> list(Tx tx, UUID deviceId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL ORDER BY meta_key",
                MetadataStore::map,
                deviceId);
    }

    public List<String> keys(Tx tx, UUID deviceId) throws SQLException {
        return tx.query(
                "SELECT meta_key FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL",
                rs -> rs.getString(1),
                deviceId);
    }

    public Optional<DeviceMetadata> find(Tx tx, UUID deviceId, String key) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM device_metadata WHERE device_id = ? AND meta_key = ? AND deleted_at IS NULL",
                MetadataStore::map,
                deviceId,
                key);
    }

    /** Live metadata of the devices of a VPC above {@code gtRevision}, in revision order. */
    public List<DeviceMetadata> listInVpcAbove(Tx tx, UUID vpcId, long gtRevision) throws SQLException {
        return tx.query(
                "SELECT " + COLS
                        + " FROM device_metadata WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                MetadataStore::map,
                vpcId,
                gtRevision);
    }

    /** Sets a key (a deleted key comes back) to {@code valueJson}. */
    public void put(Tx tx, UUID deviceId, String key, UUID vpcId, String valueJson, long revision) throws SQLException {
        if (tx.update(
                        "UPDATE device_metadata SET meta_value = ?, vpc_id = ?, revision = ?, updated_at = ?, deleted_at = NULL WHERE device_id = ? AND meta_key = ?",
                        valueJson,
                        vpcId,
                        revision,
                        tx.now(),
                        deviceId,
                        key)
                == 0) {
            tx.update(
                    "INSERT INTO device_metadata (device_id, meta_key, vpc_id, meta_value, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    deviceId,
                    key,
                    vpcId,
                    valueJson,
                    revision,
                    tx.now(),
                    tx.now());
        }
    }

    /** Deletes a live key; false if there was none. */
    public boolean delete(Tx tx, UUID deviceId, String key, long revision) throws SQLException {
        return tx.update(
                        "UPDATE device_metadata SET deleted_at = ?, revision = ? WHERE device_id = ? AND meta_key = ? AND deleted_at IS NULL",
                        tx.now(),
                        revision,
                        deviceId,
                        key)
                > 0;
    }

    /** A key follows its device into another VPC. */
    public void moveTo(Tx tx, UUID deviceId, String key, UUID vpcId, long revision) throws SQLException {
        tx.update(
                "UPDATE device_metadata SET vpc_id = ?, revision = ? WHERE device_id = ? AND meta_key = ?",
                vpcId,
                revision,
                deviceId,
                key);
    }
}
