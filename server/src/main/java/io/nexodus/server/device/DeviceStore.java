package io.nexodus.server.device;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of devices ({@code devices}; address and endpoint lists are JSON text) and of VPC departures (what the
 * watchers of a VPC see as deleted when a device moves out). A deleted device keeps its row with the public key moved
 * to {@code former_public_key} (so the key can register again) and no token. Queries skip deleted devices unless they
 * say otherwise.
 */
public final class DeviceStore {
    /** The columns {@link #map} and {@link #mapRow} read (the watch feed reads them too). */
    public static final String COLS =
            "id, owner_id, vpc_id, organization_id, public_key, former_public_key, allowed_ips, "
                    + "ipv4_tunnel_ips, ipv6_tunnel_ips, advertise_cidrs, relay, symmetric_nat, hostname, os, endpoints, "
                    + "security_group_id, online, online_at, reg_key_id, sealed_token, revision, deleted_at";

    private static final TypeReference<List<TunnelIp>> TUNNEL_IPS = new TypeReference<>() {};
    private static final TypeReference<List<Endpoint>> ENDPOINTS = new TypeReference<>() {};

    /** A live device with the fields authorization needs. */
    public record Row(Device device, UUID organizationId, UUID regKeyId, String sealedToken) {}

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

    private static Row mapRow(ResultSet rs) throws SQLException {
        return new Row(
                map(rs), Cols.uuid(rs, "organization_id"), Cols.uuid(rs, "reg_key_id"), rs.getString("sealed_token"));
    }

    public Optional<Row> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM devices WHERE id = ? AND deleted_at IS NULL", DeviceStore::mapRow, id);
    }

    /** The device that has this public key now (deleted devices have none). */
    public Optional<UUID> idByPublicKey(Tx tx, String publicKey) throws SQLException {
        return tx.queryOne("SELECT id FROM devices WHERE public_key = ?", rs -> Cols.uuid(rs, "id"), publicKey);
    }

    /** The live device of a VPC with this public key. */
    public Optional<UUID> idInVpcByPublicKey(Tx tx, String publicKey, UUID vpcId) throws SQLException {
        return tx.queryOne(
                "SELECT id FROM devices WHERE public_key = ? AND vpc_id = ? AND deleted_at IS NULL",
                rs -> Cols.uuid(rs, "id"),
                publicKey,
                vpcId);
    }

    /** Whether a device with this id exists or existed (a single-use registration key's device id is taken). */
    public boolean everExisted(Tx tx, UUID id) throws SQLException {
        return tx.exists("SELECT 1 FROM devices WHERE id = ?", id);
    }

    /** Every live device's public key and VPC. */
    public Map<String, UUID> liveKeys(Tx tx) throws SQLException {
        Map<String, UUID> m = new HashMap<>();
        for (Map.Entry<String, UUID> e : tx.query(
                "SELECT public_key, vpc_id FROM devices WHERE deleted_at IS NULL AND public_key IS NOT NULL",
                rs -> Map.entry(rs.getString("public_key"), Cols.uuid(rs, "vpc_id")))) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** The VPC of the live device with this key. */
    public Optional<UUID> vpcByPublicKey(Tx tx, String publicKey) throws SQLException {
        return tx.queryOne(
                "SELECT vpc_id FROM devices WHERE public_key = ? AND deleted_at IS NULL",
                rs -> Cols.uuid(rs, "vpc_id"),
                publicKey);
    }

    /** The devices' highest revision: changes with every registration, change and deletion. */
    public long maxRevision(Tx tx) throws SQLException {
        return tx.queryOne("SELECT COALESCE(MAX(revision), 0) AS r FROM devices", rs -> rs.getLong("r"))
                .orElse(0L);
    }

    /** A key whose device a user deleted: who and when. */
    public record DeletedKey(UUID deviceId, Instant deletedAt, UUID deletedBy) {}

    /** Remembers that a user deleted the device with this key (replacing an older record of the same key). */
    public void recordDeletedKey(Tx tx, String publicKey, UUID deviceId, UUID vpcId, UUID deletedBy)
            throws SQLException {
        tx.update("DELETE FROM deleted_device_keys WHERE public_key = ?", publicKey);
        tx.update(
                "INSERT INTO deleted_device_keys (public_key, device_id, vpc_id, deleted_at, deleted_by) "
                        + "VALUES (?, ?, ?, ?, ?)",
                publicKey,
                deviceId,
                vpcId,
                tx.now(),
                deletedBy);
    }

    /** The record of a user deleting the device with this key, if any (kept until garbage collection). */
    public Optional<DeletedKey> deletedKey(Tx tx, String publicKey) throws SQLException {
        return tx.queryOne(
                "SELECT device_id, deleted_at, deleted_by FROM deleted_device_keys WHERE public_key = ?",
                rs -> new DeletedKey(
                        Cols.uuid(rs, "device_id"), Cols.instant(rs, "deleted_at"), Cols.uuid(rs, "deleted_by")),
                publicKey);
    }

    /** Devices in the organizations the user belongs to, by host name. */
    public List<Device> listForMember(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM devices WHERE deleted_at IS NULL AND organization_id IN ("
                        + MembershipStore.MEMBER_ORGS + ") ORDER BY hostname",
                DeviceStore::map,
                userId);
    }

    /** Devices of a VPC with a revision above {@code gtRevision}, in revision order. */
    public List<Device> listInVpcAbove(Tx tx, UUID vpcId, long gtRevision) throws SQLException {
        return tx.query(
                "SELECT " + COLS
                        + " FROM devices WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                DeviceStore::map,
                vpcId,
                gtRevision);
    }

    public List<Device> listOwnedInOrganization(Tx tx, UUID orgId, UUID ownerId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM devices WHERE organization_id = ? AND owner_id = ? AND deleted_at IS NULL",
                DeviceStore::map,
                orgId,
                ownerId);
    }

    public boolean anyInVpc(Tx tx, UUID vpcId) throws SQLException {
        return tx.exists("SELECT 1 FROM devices WHERE vpc_id = ? AND deleted_at IS NULL", vpcId);
    }

    public boolean anyInOrganization(Tx tx, UUID orgId) throws SQLException {
        return tx.exists("SELECT 1 FROM devices WHERE organization_id = ? AND deleted_at IS NULL", orgId);
    }

    public boolean anyOwnedBy(Tx tx, UUID ownerId) throws SQLException {
        return tx.exists("SELECT 1 FROM devices WHERE owner_id = ? AND deleted_at IS NULL", ownerId);
    }

    public boolean anyInSecurityGroup(Tx tx, UUID groupId) throws SQLException {
        return tx.exists("SELECT 1 FROM devices WHERE security_group_id = ? AND deleted_at IS NULL", groupId);
    }

    /** A new device (offline); {@code d}'s token field is ignored: the hash and the sealed token are stored. */
    public void insert(Tx tx, Device d, UUID orgId, UUID regKeyId, String tokenHash, String sealedToken)
            throws SQLException {
        tx.update(
                "INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, allowed_ips, ipv4_tunnel_ips, ipv6_tunnel_ips, "
                        + "advertise_cidrs, relay, symmetric_nat, hostname, os, endpoints, security_group_id, online, online_epoch, reg_key_id, "
                        + "token_hash, sealed_token, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, 0, ?, ?, ?, ?, ?, ?)",
                d.id(),
                d.ownerId(),
                d.vpcId(),
                orgId,
                d.publicKey(),
                JsonText.write(d.allowedIps()),
                JsonText.write(d.ipv4TunnelIps()),
                JsonText.write(d.ipv6TunnelIps()),
                JsonText.write(d.advertiseCidrs()),
                d.relay(),
                d.symmetricNat(),
                d.hostname(),
                d.os(),
                JsonText.write(d.endpoints()),
                d.securityGroupId(),
                regKeyId,
                tokenHash,
                sealedToken,
                d.revision(),
                tx.now(),
                tx.now());
    }

    /** Writes what a device update may change: addresses, advertised CIDRs, flags, host name, endpoints, group. */
    public void update(Tx tx, Device d) throws SQLException {
        tx.update(
                "UPDATE devices SET allowed_ips = ?, ipv4_tunnel_ips = ?, ipv6_tunnel_ips = ?, advertise_cidrs = ?, relay = ?, "
                        + "symmetric_nat = ?, hostname = ?, endpoints = ?, security_group_id = ?, revision = ?, updated_at = ? WHERE id = ?",
                JsonText.write(d.allowedIps()),
                JsonText.write(d.ipv4TunnelIps()),
                JsonText.write(d.ipv6TunnelIps()),
                JsonText.write(d.advertiseCidrs()),
                d.relay(),
                d.symmetricNat(),
                d.hostname(),
                JsonText.write(d.endpoints()),
                d.securityGroupId(),
                d.revision(),
                tx.now(),
                d.id());
    }

    public void moveTo(Tx tx, UUID id, UUID vpcId, UUID orgId) throws SQLException {
        tx.update("UPDATE devices SET vpc_id = ?, organization_id = ? WHERE id = ?", vpcId, orgId, id);
    }

    /** Deletes the device: its public key can register again, its token stops working. */
    public void softDelete(Tx tx, UUID id, long revision) throws SQLException {
        tx.update(
                "UPDATE devices SET deleted_at = ?, former_public_key = public_key, public_key = NULL, token_hash = NULL, "
                        + "sealed_token = NULL, online = FALSE, revision = ? WHERE id = ?",
                tx.now(),
                revision,
                id);
    }

    // ---- online status (no revision: not streamed) ----

    /** Marks the live device online now and starts a new online epoch. */
    public void markOnline(Tx tx, UUID id) throws SQLException {
        tx.update(
                "UPDATE devices SET online = TRUE, online_at = ?, online_epoch = online_epoch + 1 "
                        + "WHERE id = ? AND deleted_at IS NULL",
                tx.now(),
                id);
    }

    /** Marks the device offline unless another stream has started a new epoch since {@code epoch}. */
    public void markOffline(Tx tx, UUID id, long epoch) throws SQLException {
        tx.update(
                "UPDATE devices SET online = FALSE, online_at = ? WHERE id = ? AND online_epoch = ?",
                tx.now(),
                id,
                epoch);
    }

    public Optional<Long> onlineEpoch(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT id, online_epoch FROM devices WHERE id = ?", rs -> rs.getLong("online_epoch"), id);
    }

    /** Marks every device offline (the embedded database at start: no stream is open). */
    public void markAllOffline(Tx tx) throws SQLException {
        tx.update("UPDATE devices SET online = FALSE WHERE online = TRUE");
    }

    /** Records (or renews) that a row of {@code kind} left the VPC: its watchers see {@code payload} as deleted. */
    public void recordDeparture(Tx tx, String kind, UUID vpcId, String key, long revision, String payload)
            throws SQLException {
        if (tx.update(
                        "UPDATE vpc_departures SET revision = ?, payload = ? WHERE kind = ? AND vpc_id = ? AND resource_key = ?",
                        revision,
                        payload,
                        kind,
                        vpcId,
                        key)
                == 0) {
            tx.update(
                    "INSERT INTO vpc_departures (kind, vpc_id, resource_key, revision, payload) VALUES (?, ?, ?, ?, ?)",
                    kind,
                    vpcId,
                    key,
                    revision,
                    payload);
        }
    }
}
