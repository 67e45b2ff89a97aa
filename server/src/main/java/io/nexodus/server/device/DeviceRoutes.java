package io.nexodus.server.device;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.OpaqueTokens;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.DatabaseException;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.vpc.Vpcs;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/devices}: registration (IPAM, device token sealed to the device's key), updates (incl. moving between
 * VPCs), deletion (addresses released), and device metadata. Who may do what:
 * read — members of the device's organization, the registration key that created it, the device itself;
 * update — the device's owner, an owner of its organization, its registration key, the device itself;
 * delete — the device's owner or an owner of its organization.
 */
public final class DeviceRoutes {
    private final Database db;
    private final Ipam ipam;
    private final FeatureFlags flags;
    private final Counter registrations;

    public DeviceRoutes(Database db, Ipam ipam, FeatureFlags flags, MeterRegistry meters) {
        this.db = db;
        this.ipam = ipam;
        this.flags = flags;
        this.registrations = Counter.builder("nexodus.devices.registered")
                .description("devices created")
                .register(meters);
    }

    public List<Route> routes() {
        Class<?> md = DeviceMetadata.class;
        return List.of(
                Route.get("/api/devices")
                        .tag("Devices")
                        .summary("List devices in the caller's organizations")
                        .listParams()
                        .returns(new TypeReference<List<Device>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/devices")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(201)
                        .summary(
                                "Register a device (user or RK: token); 409 ConflictsError{id} if the public key exists")
                        .body(AddDevice.class)
                        .returns(Device.class)
                        .errors(400, 403, 404, 405, 409)
                        .handler(this::create),
                Route.get("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a device")
                        .returns(Device.class)
                        .errors(400, 404)
                        .handler(this::get),
                Route.patch("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Update a device")
                        .body(UpdateDevice.class)
                        .returns(Device.class)
                        .errors(400, 403, 404, 409)
                        .handler(this::update),
                Route.delete("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Delete a device and release its addresses")
                        .returns(Device.class)
                        .errors(400, 403, 404)
                        .handler(this::delete),
                Route.get("/api/devices/{id}/metadata")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("All metadata of a device")
                        .query("prefix", "only keys starting with this")
                        .returns(new TypeReference<List<DeviceMetadata>>() {}.getType())
                        .errors(400, 404)
                        .handler(this::listMetadata),
                Route.delete("/api/devices/{id}/metadata")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(204)
                        .summary("Delete every metadata key of a device")
                        .errors(400, 403, 404)
                        .handler(this::clearMetadata),
                Route.get("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("One metadata key")
                        .returns(md)
                        .errors(400, 404)
                        .handler(this::getMetadata),
                Route.put("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Set a metadata key to any JSON value")
                        .body(JsonNode.class)
                        .returns(md)
                        .errors(400, 403, 404)
                        .handler(this::putMetadata),
                Route.delete("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(204)
                        .summary("Delete a metadata key")
                        .errors(400, 403, 404)
                        .handler(this::deleteMetadata));
    }

    // ---- access ----

    /** The device if the principal may read it, else 404. */
    static Devices.Row readable(Tx tx, Principal p, UUID id) throws SQLException {
        Devices.Row r = Devices.find(tx, id).orElseThrow(() -> ApiError.notFound("device"));
        boolean ok = switch (p) {
            case Principal.UserPrincipal u -> Memberships.isMember(tx, u.userId(), r.organizationId());
            case Principal.RegKeyPrincipal rk -> rk.regKeyId().equals(r.regKeyId());
            case Principal.DevicePrincipal dt -> dt.deviceId().equals(id);
        };
        if (!ok) {
            throw ApiError.notFound("device");
        }
        return r;
    }

    /** The device if the principal may change it: 404 if it may not even read it, 403 if it may only read it. */
    static Devices.Row writable(Tx tx, Principal p, UUID id) throws SQLException {
        Devices.Row r = readable(tx, p, id);
        if (p instanceof Principal.UserPrincipal u
                && !u.userId().equals(r.device().ownerId())
                && !Memberships.isOwner(tx, u.userId(), r.organizationId())) {
            throw ApiError.forbidden("only the device's owner or an owner of its organization may change it");
        }
        return r;
    }

    /** The sealed token goes only to the device itself, its owner, and the registration key that created it. */
    static Device present(Devices.Row r, Principal p) {
        boolean show = switch (p) {
            case Principal.UserPrincipal u -> u.userId().equals(r.device().ownerId());
            case Principal.RegKeyPrincipal rk -> rk.regKeyId().equals(r.regKeyId());
            case Principal.DevicePrincipal dt -> dt.deviceId().equals(r.device().id());
        };
        return show && r.sealedToken() != null ? r.device().withBearerToken(r.sealedToken()) : r.device();
    }

    // ---- devices ----

    private Object list(Call c) {
        UUID user = c.principal().ownerId();
        return ListReply.of(
                db.read(tx -> tx.query(
                        "SELECT " + Devices.COLS + " FROM devices WHERE deleted_at IS NULL AND organization_id IN ("
                                + Memberships.MEMBER_ORGS + ") ORDER BY hostname",
                        Devices::map,
                        user)),
                "hostname");
    }

    private Object get(Call c) {
        UUID id = c.pathId("id");
        return db.read(tx -> present(readable(tx, c.principal(), id), c.principal()));
    }

    private Object create(Call c) {
        flags.require(FeatureFlags.DEVICES);
        Principal p = c.principal();
        if (p instanceof Principal.DevicePrincipal) {
            throw ApiError.forbidden("a device token cannot register devices");
        }
        AddDevice in = c.body(AddDevice.class);
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        if (in.publicKey() == null || in.publicKey().isBlank()) {
            throw ApiError.missing("public_key");
        }
        if (!NodePublicKey.isValidBase64(in.publicKey())) {
            throw ApiError.invalid("public_key", "not a base64 WireGuard public key");
        }
        if (in.ipv4TunnelIps() != null && in.ipv4TunnelIps().size() > 1) {
            throw ApiError.invalid("ipv4_tunnel_ips", "at most one address may be requested");
        }
        String requested = in.ipv4TunnelIps() == null || in.ipv4TunnelIps().isEmpty()
                ? null
                : in.ipv4TunnelIps().get(0).address();
        if (requested != null && !requested.isBlank()) {
            try {
                if (Cidr.host(requested).v6()) {
                    throw new IllegalArgumentException("IPv4 only");
                }
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("ipv4_tunnel_ips", "requested address is not an IPv4 address: " + requested);
            }
        }
        if (p instanceof Principal.RegKeyPrincipal rk && !rk.vpcId().equals(in.vpcId())) {
            throw ApiError.invalid("vpc_id", "the registration key is for VPC " + rk.vpcId());
        }
        String publicKey = in.publicKey().strip();
        // outside the transaction: nothing below depends on the database
        String token = OpaqueTokens.generate(OpaqueTokens.DEVICE);
        String sealed = SealedToken.seal(NodePublicKey.fromBase64(publicKey), token);
        String tokenHash = OpaqueTokens.hash(token);
        Devices.Row row;
        try {
            row = db.write(tx -> {
                Vpc vpc = Vpcs.readable(tx, p, in.vpcId());
                UUID regKeyId = null;
                UUID sg = in.securityGroupId();
                UUID id = UUID.randomUUID();
                if (p instanceof Principal.RegKeyPrincipal rk) {
                    regKeyId = rk.regKeyId();
                    if (sg == null) {
                        sg = rk.securityGroupId();
                    }
                    if (rk.deviceId() != null) {
                        id = rk.deviceId();
                    }
                }
                if (sg == null) {
                    sg = vpc.id();
                }
                // checks before the lock; a duplicate that slips in meanwhile fails the unique indexes (handled below)
                checkSecurityGroup(tx, sg, vpc.id());
                Optional<UUID> existing = tx.queryOne(
                        "SELECT id FROM devices WHERE public_key = ?", rs -> Cols.uuid(rs, "id"), publicKey);
                if (existing.isPresent()) {
                    throw ApiError.conflict(existing.get());
                }
                if (p instanceof Principal.RegKeyPrincipal rk
                        && rk.deviceId() != null
                        && tx.exists("SELECT 1 FROM devices WHERE id = ?", id)) {
                    throw ApiError.notAllowed("single use reg key exhausted");
                }
                tx.lockRevisions(); // from here on, one writer at a time (service-wide): keep this part short
                Addresses a = allocate(tx, vpc, id, requested);
                List<String> advertised =
                        in.advertiseCidrs() == null || in.advertiseCidrs().isEmpty()
                                ? List.of()
                                : ipam.setAdvertised(tx, vpc.id(), id, in.advertiseCidrs(), Vpcs.prefixes(vpc));
                long rev = tx.nextRevision();
                List<Endpoint> eps = endpoints(in.endpoints());
                tx.update(
                        "INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, allowed_ips, ipv4_tunnel_ips, ipv6_tunnel_ips, "
                                + "advertise_cidrs, relay, symmetric_nat, hostname, os, endpoints, security_group_id, online, online_epoch, reg_key_id, "
                                + "token_hash, sealed_token, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, 0, ?, ?, ?, ?, ?, ?)",
                        id,
                        p.ownerId(),
                        vpc.id(),
                        vpc.organizationId(),
                        publicKey,
                        JsonText.write(a.allowedIps()),
                        JsonText.write(a.v4()),
                        JsonText.write(a.v6()),
                        JsonText.write(advertised),
                        in.relay(),
                        in.symmetricNat(),
                        nz(in.hostname()),
                        nz(in.os()),
                        JsonText.write(eps),
                        sg,
                        regKeyId,
                        tokenHash,
                        sealed,
                        rev,
                        tx.now(),
                        tx.now());
                tx.signal(Topics.of(Watch.KIND_DEVICE, vpc.id()));
                Device d = new Device(
                        id,
                        p.ownerId(),
                        vpc.id(),
                        publicKey,
                        a.allowedIps(),
                        a.v4(),
                        a.v6(),
                        advertised,
                        in.relay(),
                        in.symmetricNat(),
                        nz(in.hostname()),
                        nz(in.os()),
                        eps,
                        rev,
                        sg,
                        false,
                        null,
                        null);
                return new Devices.Row(d, vpc.organizationId(), regKeyId, sealed);
            });
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) {
                throw e;
            }
            // registered concurrently with the same public key (or the same single-use key): answer as if we had seen
            // it
            Optional<UUID> existing = db.read(tx ->
                    tx.queryOne("SELECT id FROM devices WHERE public_key = ?", rs -> Cols.uuid(rs, "id"), publicKey));
            if (existing.isPresent()) {
                throw ApiError.conflict(existing.get());
            }
            if (p instanceof Principal.RegKeyPrincipal rk && rk.deviceId() != null) {
                throw ApiError.notAllowed("single use reg key exhausted");
            }
            throw e;
        }
        registrations.increment();
        return present(row, p);
    }

    private Object update(Call c) {
        UUID id = c.pathId("id");
        Principal p = c.principal();
        UpdateDevice in = c.body(UpdateDevice.class);
        Devices.Row row = db.write(tx -> {
            tx.lockRevisions();
            Devices.Row cur = writable(tx, p, id);
            Device d = cur.device();
            if (in.revision() != null && in.revision() != 0 && in.revision() != d.revision()) {
                throw ApiError.conflict(id);
            }
            Vpc vpc = Vpcs.find(tx, d.vpcId()).orElseThrow(() -> ApiError.notFound("vpc"));
            boolean moving = in.vpcId() != null && !in.vpcId().equals(d.vpcId());
            List<TunnelIp> v4 = d.ipv4TunnelIps(), v6 = d.ipv6TunnelIps();
            List<String> allowed = d.allowedIps();
            UUID sg = in.securityGroupId() != null ? in.securityGroupId() : d.securityGroupId();
            if (moving) {
                if (!(p instanceof Principal.UserPrincipal)) {
                    throw ApiError.invalid("vpc_id", "only a user may move a device to another VPC");
                }
                Vpc target = Vpcs.readable(tx, p, in.vpcId());
                departFromVpc(tx, cur);
                String oldPool = Ipam.poolId(vpc.id(), vpc.privateCidr(), false),
                        newPool = Ipam.poolId(target.id(), target.privateCidr(), false);
                if (!oldPool.equals(newPool)) {
                    ipam.releaseDevice(tx, id);
                    Addresses a = allocate(tx, target, id, null);
                    v4 = a.v4();
                    v6 = a.v6();
                    allowed = a.allowedIps();
                }
                if (in.securityGroupId() == null) {
                    sg = target.id();
                }
                tx.update(
                        "UPDATE devices SET vpc_id = ?, organization_id = ? WHERE id = ?",
                        target.id(),
                        target.organizationId(),
                        id);
                vpc = target;
            }
            if (in.securityGroupId() != null || moving) {
                checkSecurityGroup(tx, sg, vpc.id());
            }
            List<String> advertised = d.advertiseCidrs();
            if (in.advertiseCidrs() != null || moving) {
                advertised = ipam.setAdvertised(
                        tx,
                        vpc.id(),
                        id,
                        in.advertiseCidrs() != null ? in.advertiseCidrs() : d.advertiseCidrs(),
                        Vpcs.prefixes(vpc));
            }
            long rev = tx.nextRevision();
            tx.update(
                    "UPDATE devices SET allowed_ips = ?, ipv4_tunnel_ips = ?, ipv6_tunnel_ips = ?, advertise_cidrs = ?, relay = ?, "
                            + "symmetric_nat = ?, hostname = ?, endpoints = ?, security_group_id = ?, revision = ?, updated_at = ? WHERE id = ?",
                    JsonText.write(allowed),
                    JsonText.write(v4),
                    JsonText.write(v6),
                    JsonText.write(advertised),
                    in.relay() != null ? in.relay() : d.relay(),
                    in.symmetricNat() != null ? in.symmetricNat() : d.symmetricNat(),
                    in.hostname() != null ? in.hostname() : d.hostname(),
                    JsonText.write(in.endpoints() != null ? endpoints(in.endpoints()) : d.endpoints()),
                    sg,
                    rev,
                    tx.now(),
                    id);
            if (moving) {
                for (String key : tx.query(
                        "SELECT meta_key FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL",
                        rs -> rs.getString(1),
                        id)) {
                    tx.update(
                            "UPDATE device_metadata SET vpc_id = ?, revision = ? WHERE device_id = ? AND meta_key = ?",
                            vpc.id(),
                            tx.nextRevision(),
                            id,
                            key);
                }
                tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc.id()));
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE, vpc.id()));
            return Devices.find(tx, id).orElseThrow();
        });
        return present(row, p);
    }

    /** Watchers of the old VPC must see the device and its metadata go: departures carry them as delete events. */
    private static void departFromVpc(Tx tx, Devices.Row cur) throws SQLException {
        UUID vpcId = cur.device().vpcId();
        UUID id = cur.device().id();
        upsertDeparture(tx, Watch.KIND_DEVICE, vpcId, id.toString(), JsonText.write(cur.device()));
        for (DeviceMetadata m : tx.query(
                "SELECT " + Devices.META_COLS + " FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL",
                Devices::mapMetadata,
                id)) {
            upsertDeparture(tx, Watch.KIND_DEVICE_METADATA, vpcId, id + "/" + m.key(), JsonText.write(m));
        }
        tx.signal(Topics.of(Watch.KIND_DEVICE, vpcId));
        tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpcId));
    }

    private static void upsertDeparture(Tx tx, String kind, UUID vpcId, String key, String payload)
            throws SQLException {
        long rev = tx.nextRevision();
        if (tx.update(
                        "UPDATE vpc_departures SET revision = ?, payload = ? WHERE kind = ? AND vpc_id = ? AND resource_key = ?",
                        rev,
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
                    rev,
                    payload);
        }
    }

    private Object delete(Call c) {
        UUID id = c.pathId("id");
        Principal p = c.principal();
        if (!(p instanceof Principal.UserPrincipal)) {
            throw ApiError.forbidden("only users may delete devices");
        }
        return db.write(tx -> {
            tx.lockRevisions();
            Devices.Row cur = writable(tx, p, id);
            deleteDevice(tx, ipam, cur.device());
            return cur.device();
        });
    }

    /** Soft-deletes a device and its metadata, releases its addresses; used by user/org removal too. */
    public static void deleteDevice(Tx tx, Ipam ipam, Device d) throws SQLException {
        tx.lockRevisions();
        ipam.releaseDevice(tx, d.id());
        for (String key : tx.query(
                "SELECT meta_key FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL",
                rs -> rs.getString(1),
                d.id())) {
            tx.update(
                    "UPDATE device_metadata SET deleted_at = ?, revision = ? WHERE device_id = ? AND meta_key = ?",
                    tx.now(),
                    tx.nextRevision(),
                    d.id(),
                    key);
        }
        tx.update(
                "UPDATE devices SET deleted_at = ?, former_public_key = public_key, public_key = NULL, token_hash = NULL, "
                        + "sealed_token = NULL, online = FALSE, revision = ? WHERE id = ?",
                tx.now(),
                tx.nextRevision(),
                d.id());
        tx.signal(Topics.of(Watch.KIND_DEVICE, d.vpcId()));
        tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, d.vpcId()));
    }

    // ---- metadata ----

    /** Metadata may be read by whoever may read the device, and by devices of the same VPC. */
    private static Devices.Row metadataReadable(Tx tx, Principal p, UUID id) throws SQLException {
        if (p instanceof Principal.DevicePrincipal dt) {
            Devices.Row r = Devices.find(tx, id).orElseThrow(() -> ApiError.notFound("device"));
            if (!r.device().vpcId().equals(dt.vpcId())) {
                throw ApiError.notFound("device");
            }
            return r;
        }
        return readable(tx, p, id);
    }

    private Object listMetadata(Call c) {
        UUID id = c.pathId("id");
        Optional<String> prefix = c.query("prefix");
        return db.read(tx -> {
            metadataReadable(tx, c.principal(), id);
            List<DeviceMetadata> all = tx.query(
                    "SELECT " + Devices.META_COLS
                            + " FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL ORDER BY meta_key",
                    Devices::mapMetadata,
                    id);
            return prefix.map(pf ->
                            all.stream().filter(m -> m.key().startsWith(pf)).toList())
                    .orElse(all);
        });
    }

    private Object getMetadata(Call c) {
        UUID id = c.pathId("id");
        String key = c.path("key");
        return db.read(tx -> {
            metadataReadable(tx, c.principal(), id);
            return tx.queryOne(
                            "SELECT " + Devices.META_COLS
                                    + " FROM device_metadata WHERE device_id = ? AND meta_key = ? AND deleted_at IS NULL",
                            Devices::mapMetadata,
                            id,
                            key)
                    .orElseThrow(() -> ApiError.notFound("device metadata"));
        });
    }

    private Object putMetadata(Call c) {
        UUID id = c.pathId("id");
        String key = c.path("key");
        if (key.isEmpty() || key.length() > 255) {
            throw ApiError.invalid("key", "1 to 255 characters");
        }
        JsonNode value = c.bodyTree();
        String text = JsonText.write(value);
        return db.write(tx -> {
            tx.lockRevisions();
            Devices.Row r = writable(tx, c.principal(), id);
            long rev = tx.nextRevision();
            UUID vpc = r.device().vpcId();
            if (tx.update(
                            "UPDATE device_metadata SET meta_value = ?, vpc_id = ?, revision = ?, updated_at = ?, deleted_at = NULL WHERE device_id = ? AND meta_key = ?",
                            text,
                            vpc,
                            rev,
                            tx.now(),
                            id,
                            key)
                    == 0) {
                tx.update(
                        "INSERT INTO device_metadata (device_id, meta_key, vpc_id, meta_value, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        id,
                        key,
                        vpc,
                        text,
                        rev,
                        tx.now(),
                        tx.now());
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc));
            return new DeviceMetadata(id, key, value, rev);
        });
    }

    private Object deleteMetadata(Call c) {
        noRegKey(c);
        UUID id = c.pathId("id");
        String key = c.path("key");
        db.write(tx -> {
            tx.lockRevisions();
            Devices.Row r = writable(tx, c.principal(), id);
            if (tx.update(
                            "UPDATE device_metadata SET deleted_at = ?, revision = ? WHERE device_id = ? AND meta_key = ? AND deleted_at IS NULL",
                            tx.now(),
                            tx.nextRevision(),
                            id,
                            key)
                    == 0) {
                throw ApiError.notFound("device metadata");
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, r.device().vpcId()));
            return null;
        });
        return Reply.noContent();
    }

    private Object clearMetadata(Call c) {
        noRegKey(c);
        UUID id = c.pathId("id");
        db.write(tx -> {
            tx.lockRevisions();
            Devices.Row r = writable(tx, c.principal(), id);
            for (String key : tx.query(
                    "SELECT meta_key FROM device_metadata WHERE device_id = ? AND deleted_at IS NULL",
                    rs -> rs.getString(1),
                    id)) {
                tx.update(
                        "UPDATE device_metadata SET deleted_at = ?, revision = ? WHERE device_id = ? AND meta_key = ?",
                        tx.now(),
                        tx.nextRevision(),
                        id,
                        key);
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, r.device().vpcId()));
            return null;
        });
        return Reply.noContent();
    }

    // ---- helpers ----

    /** A registration key may set metadata on its devices, not remove it. */
    private static void noRegKey(Call c) {
        if (c.principal() instanceof Principal.RegKeyPrincipal) {
            throw ApiError.forbidden("not allowed with a registration key");
        }
    }

    private record Addresses(List<TunnelIp> v4, List<TunnelIp> v6, List<String> allowedIps) {}

    private Addresses allocate(Tx tx, Vpc vpc, UUID deviceId, String requested) throws SQLException {
        String a4 = ipam.allocate(tx, Ipam.poolId(vpc.id(), vpc.privateCidr(), false), deviceId, requested);
        String a6 = ipam.allocate(tx, Ipam.poolId(vpc.id(), vpc.privateCidr(), true), deviceId, null);
        return new Addresses(
                List.of(new TunnelIp(a4, vpc.ipv4Cidr())),
                List.of(new TunnelIp(a6, vpc.ipv6Cidr())),
                List.of(a4 + "/32", a6 + "/128"));
    }

    private static void checkSecurityGroup(Tx tx, UUID sg, UUID vpcId) throws SQLException {
        SecurityGroup g = SecurityGroups.find(tx, sg)
                .orElseThrow(() -> ApiError.invalid("security_group_id", "no such security group"));
        if (!g.vpcId().equals(vpcId)) {
            throw ApiError.invalid("security_group_id", "the security group belongs to another VPC");
        }
    }

    private static List<Endpoint> endpoints(List<Endpoint> in) {
        if (in == null) {
            return List.of();
        }
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : in) {
            if (e == null || e.address() == null || e.address().isBlank()) {
                throw ApiError.invalid("endpoints", "every endpoint needs an address");
            }
            out.add(new Endpoint(
                    Objects.requireNonNullElse(e.source(), ""), e.address().strip()));
        }
        return out;
    }

    private static List<String> nonNull(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
