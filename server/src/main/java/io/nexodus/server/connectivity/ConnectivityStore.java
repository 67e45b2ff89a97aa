package io.nexodus.server.connectivity;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of connectivity reports ({@code device_connectivity}: one row per device, its peers as JSON text). A report
 * replaces the row; the device's row in {@code devices} is locked first, so two reports of one device (two replicas)
 * cannot both insert.
 */
public final class ConnectivityStore {
    /** One device's last report as stored. */
    record Stored(UUID deviceId, String natType, List<PeerConnectivity> peers, Instant reportedAt) {}

    private static final TypeReference<List<PeerConnectivity>> PEERS = new TypeReference<>() {};

    /** Replaces the device's report; false when the device does not exist (any more). */
    boolean put(Tx tx, UUID deviceId, UUID vpcId, String natType, List<PeerConnectivity> peers, Instant at)
            throws SQLException {
        if (!tx.exists("SELECT 1 FROM devices WHERE id = ? AND deleted_at IS NULL FOR UPDATE", deviceId)) {
            return false;
        }
        String text = JsonText.write(peers);
        if (tx.update(
                        "UPDATE device_connectivity SET vpc_id = ?, nat_type = ?, peers = ?, reported_at = ? WHERE device_id = ?",
                        vpcId,
                        natType,
                        text,
                        at,
                        deviceId)
                == 0) {
            tx.update(
                    "INSERT INTO device_connectivity (device_id, vpc_id, nat_type, peers, reported_at) VALUES (?, ?, ?, ?, ?)",
                    deviceId,
                    vpcId,
                    natType,
                    text,
                    at);
        }
        return true;
    }

    /** The reports filed for a VPC since {@code notBefore} (older ones have expired). */
    List<Stored> inVpc(Tx tx, UUID vpcId, Instant notBefore) throws SQLException {
        return tx.query(
                "SELECT device_id, nat_type, peers, reported_at FROM device_connectivity WHERE vpc_id = ? AND reported_at >= ?",
                rs -> new Stored(
                        Cols.uuid(rs, "device_id"),
                        rs.getString("nat_type"),
                        JsonText.read(rs.getString("peers"), PEERS),
                        Cols.instant(rs, "reported_at")),
                vpcId,
                notBefore);
    }
}
