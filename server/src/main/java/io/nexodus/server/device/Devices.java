package io.nexodus.server.device;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Device and device-metadata rows. */
public final class Devices {
    public static final String COLS =
            "id, owner_id, vpc_id, organization_id, public_key, former_public_key, allowed_ips, "
                    + "ipv4_tunnel_ips, ipv6_tunnel_ips, advertise_cidrs, relay, symmetric_nat, hostname, os, endpoints, "
                    + "security_group_id, online, online_at, reg_key_id, sealed_token, revision, deleted_at";
    public static final String META_COLS = "device_id, meta_key, vpc_id, meta_value, revision, deleted_at";

    static final TypeReference<List<TunnelIp>> TUNNEL_IPS = new TypeReference<>() {};
    static final TypeReference<List<Endpoint>> ENDPOINTS = new TypeReference<>() {};

    private Devices() {}

    /** A device row as the API record, without its token. Deleted rows keep their former public key. */
    public static Device map(ResultSet rs) throws SQLException {
        String pk = rs.getString("public_key");
        if (pk == null) {
            pk = rs.getString("former_public_key");
        }
        return new Device(
                Cols.uuid(rs, "id"),
                Cols.uuid(rs, "owner_id"),
                Cols.uuid(rs, "vpc_id"),
                pk,
                JsonText.strings(rs.getString("allowed_ips")),
                JsonText.read(rs.getString("ipv4_tunnel_ips"), TUNNEL_IPS),
                JsonText.read(rs.getString("ipv6_tunnel_ips"), TUNNEL_IPS),
                JsonText.strings(rs.getString("advertise_cidrs")),
                rs.getBoolean("relay"),
                rs.getBoolean("symmetric_nat"),
                rs.getString("hostname"),
                rs.getString("os"),
                JsonText.read(rs.getString("endpoints"), ENDPOINTS),
                rs.getLong("revision"),
                Cols.uuid(rs, "security_group_id"),
                rs.getBoolean("online"),
                Cols.instant(rs, "online_at"),
                null);
    }

    /** A live device with the fields authorization needs. */
    public record Row(Device device, UUID organizationId, UUID regKeyId, String sealedToken) {}

    public static Row mapRow(ResultSet rs) throws SQLException {
        return new Row(
                map(rs), Cols.uuid(rs, "organization_id"), Cols.uuid(rs, "reg_key_id"), rs.getString("sealed_token"));
    }

    public static Optional<Row> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM devices WHERE id = ? AND deleted_at IS NULL", Devices::mapRow, id);
    }

    public static DeviceMetadata mapMetadata(ResultSet rs) throws SQLException {
        return new DeviceMetadata(
                Cols.uuid(rs, "device_id"),
                rs.getString("meta_key"),
                JsonText.tree(rs.getString("meta_value")),
                rs.getLong("revision"));
    }
}
