package io.nexodus.server.watch;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Watch;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.MetadataStore;
import io.nexodus.server.securitygroup.SecurityGroupStore;
import io.nexodus.server.vpc.VpcStore;
import java.lang.reflect.Type;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The feeds' rows from the service's database: the rows of one kind in one VPC whose revision is above a given one,
 * including soft-deleted rows and departures (rows that moved to another VPC), ordered by revision. Unscoped on
 * purpose: deletes must surface.
 */
public final class DatabaseFeedSource implements FeedSource {
    private final Database db;

    public DatabaseFeedSource(Database db) {
        this.db = db;
    }

    @Override
    public List<FeedRow> load(String kind, UUID vpcId, long afterRevision) {
        return db.read(tx -> {
            List<FeedRow> rows = new ArrayList<>();
            switch (kind) {
                case Watch.KIND_DEVICE -> {
                    rows.addAll(tx.query(
                            "SELECT " + DeviceStore.COLS
                                    + " FROM devices WHERE vpc_id = ? AND revision > ? ORDER BY revision",
                            rs -> new FeedRow(
                                    Cols.uuid(rs, "id").toString(),
                                    rs.getLong("revision"),
                                    rs.getTimestamp("deleted_at") != null,
                                    DeviceStore.map(rs),
                                    null,
                                    null),
                            vpcId,
                            afterRevision));
                    rows.addAll(departures(tx, kind, vpcId, afterRevision, Device.class));
                }
                case Watch.KIND_SECURITY_GROUP ->
                    rows.addAll(tx.query(
                            "SELECT " + SecurityGroupStore.COLS
                                    + " FROM security_groups WHERE vpc_id = ? AND revision > ? ORDER BY revision",
                            rs -> new FeedRow(
                                    Cols.uuid(rs, "id").toString(),
                                    rs.getLong("revision"),
                                    rs.getTimestamp("deleted_at") != null,
                                    SecurityGroupStore.map(rs),
                                    null,
                                    null),
                            vpcId,
                            afterRevision));
                case Watch.KIND_DEVICE_METADATA -> {
                    rows.addAll(tx.query(
                            "SELECT " + MetadataStore.COLS
                                    + " FROM device_metadata WHERE vpc_id = ? AND revision > ? ORDER BY revision",
                            rs -> {
                                UUID dev = Cols.uuid(rs, "device_id");
                                String key = rs.getString("meta_key");
                                return new FeedRow(
                                        dev + "/" + key,
                                        rs.getLong("revision"),
                                        rs.getTimestamp("deleted_at") != null,
                                        MetadataStore.map(rs),
                                        dev,
                                        key);
                            },
                            vpcId,
                            afterRevision));
                    rows.addAll(departures(tx, kind, vpcId, afterRevision, DeviceMetadata.class));
                }
                case Watch.KIND_VPC ->
                    rows.addAll(tx.query(
                            "SELECT " + VpcStore.COLS + " FROM vpcs WHERE id = ? AND revision > ? ORDER BY revision",
                            rs -> new FeedRow(
                                    Cols.uuid(rs, "id").toString(),
                                    rs.getLong("revision"),
                                    rs.getTimestamp("deleted_at") != null,
                                    VpcStore.map(rs),
                                    null,
                                    null),
                            vpcId,
                            afterRevision));
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            }
            rows.sort(Comparator.comparingLong(FeedRow::revision));
            return rows;
        });
    }

    private static <T> List<FeedRow> departures(Tx tx, String kind, UUID vpcId, long after, Class<T> type)
            throws SQLException {
        return tx.query(
                "SELECT resource_key, revision, payload FROM vpc_departures WHERE kind = ? AND vpc_id = ? AND revision > ?",
                rs -> {
                    String key = rs.getString("resource_key");
                    Object value = JsonText.read(rs.getString("payload"), new TypeReference<T>() {
                        @Override
                        public Type getType() {
                            return type;
                        }
                    });
                    UUID dev = null;
                    String metaKey = null;
                    if (value instanceof DeviceMetadata m) {
                        dev = m.deviceId();
                        metaKey = m.key();
                    }
                    return new FeedRow(key, rs.getLong("revision"), true, value, dev, metaKey);
                },
                kind,
                vpcId,
                after);
    }
}
