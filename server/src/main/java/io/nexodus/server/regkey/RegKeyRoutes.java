package io.nexodus.server.regkey;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.OpaqueTokens;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.vpc.Vpcs;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/reg-keys}: registration keys. Only the token's SHA-256 is stored, so the {@code RK:} token is in the
 * create response only. Read, changed and deleted by their creator or an owner of the VPC's organization;
 * {@code GET /api/reg-keys/me} answers an RK: token with its own key.
 */
public final class RegKeyRoutes {
    static final String COLS =
            "id, owner_id, vpc_id, organization_id, description, device_id, expires_at, security_group_id, settings";

    private final Database db;
    private final Clock clock;

    public RegKeyRoutes(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public static RegKey map(ResultSet rs) throws SQLException {
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

    private record Row(RegKey key, UUID organizationId) {}

    public List<Route> routes() {
        return List.of(
                Route.get("/api/reg-keys")
                        .tag("Registration Keys")
                        .summary("List registration keys the caller created or whose organization it owns")
                        .listParams()
                        .returns(new TypeReference<List<RegKey>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/reg-keys")
                        .tag("Registration Keys")
                        .status(201)
                        .summary("Create a registration key (the only response with its RK: token)")
                        .body(AddRegKey.class)
                        .returns(RegKey.class)
                        .errors(400, 404)
                        .handler(this::create),
                Route.get("/api/reg-keys/{id}")
                        .tag("Registration Keys")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a registration key; 'me' with an RK: token returns that key")
                        .returns(RegKey.class)
                        .errors(400, 404)
                        .handler(this::get),
                Route.patch("/api/reg-keys/{id}")
                        .tag("Registration Keys")
                        .summary("Update a registration key")
                        .body(UpdateRegKey.class)
                        .returns(RegKey.class)
                        .errors(400, 403, 404)
                        .handler(this::update),
                Route.delete("/api/reg-keys/{id}")
                        .tag("Registration Keys")
                        .summary("Delete a registration key")
                        .returns(RegKey.class)
                        .errors(400, 403, 404)
                        .handler(this::delete));
    }

    private Object list(Call c) {
        UUID user = c.principal().ownerId();
        return ListReply.of(
                db.read(tx -> tx.query(
                        "SELECT " + COLS
                                + " FROM reg_keys WHERE deleted_at IS NULL AND (owner_id = ? OR organization_id IN ("
                                + Memberships.OWNED_ORGS + ")) ORDER BY created_at",
                        RegKeyRoutes::map,
                        user,
                        user)),
                null);
    }

    private Optional<Row> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM reg_keys WHERE id = ? AND deleted_at IS NULL",
                rs -> new Row(map(rs), Cols.uuid(rs, "organization_id")),
                id);
    }

    /** Creator or organization owner; others 404. */
    private Row manageable(Tx tx, Principal p, UUID id) throws SQLException {
        Row r = find(tx, id).orElseThrow(() -> ApiError.notFound("reg key"));
        if (p instanceof Principal.UserPrincipal u
                && (u.userId().equals(r.key().ownerId()) || Memberships.isOwner(tx, u.userId(), r.organizationId()))) {
            return r;
        }
        throw ApiError.notFound("reg key");
    }

    private Object get(Call c) {
        Principal p = c.principal();
        if (p instanceof Principal.DevicePrincipal) {
            throw ApiError.forbidden("not allowed with a device token");
        }
        if ("me".equals(c.path("id"))) {
            if (!(p instanceof Principal.RegKeyPrincipal rk)) {
                throw ApiError.invalid("id", "'me' is only valid with a registration key token");
            }
            return db.read(tx -> find(tx, rk.regKeyId())
                    .orElseThrow(() -> ApiError.notFound("reg key"))
                    .key());
        }
        UUID id = c.pathId("id");
        if (p instanceof Principal.RegKeyPrincipal rk) {
            if (!rk.regKeyId().equals(id)) {
                throw ApiError.notFound("reg key");
            }
            return db.read(tx ->
                    find(tx, id).orElseThrow(() -> ApiError.notFound("reg key")).key());
        }
        return db.read(tx -> manageable(tx, p, id).key());
    }

    private Object create(Call c) {
        AddRegKey in = c.body(AddRegKey.class);
        if (in.serviceNetworkId() != null) {
            throw ApiError.invalid("service_network_id", "service networks are not supported");
        }
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        if (in.expiresAt() != null && !in.expiresAt().isAfter(clock.instant())) {
            throw ApiError.invalid("expires_at", "must be in the future");
        }
        Map<String, com.fasterxml.jackson.databind.JsonNode> settings =
                in.settings() == null ? Map.of() : in.settings();
        UUID user = c.principal().ownerId();
        String token = OpaqueTokens.generate(OpaqueTokens.REG_KEY);
        RegKey key = db.write(tx -> {
            Vpc v = Vpcs.readable(tx, c.principal(), in.vpcId());
            if (in.securityGroupId() != null) {
                checkSg(tx, in.securityGroupId(), v.id());
            }
            UUID id = UUID.randomUUID();
            UUID deviceId = in.singleUse() ? UUID.randomUUID() : null;
            tx.update(
                    "INSERT INTO reg_keys (id, owner_id, vpc_id, organization_id, token_hash, description, device_id, expires_at, security_group_id, "
                            + "settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    user,
                    v.id(),
                    v.organizationId(),
                    OpaqueTokens.hash(token),
                    in.description() == null ? "" : in.description(),
                    deviceId,
                    in.expiresAt(),
                    in.securityGroupId(),
                    JsonText.write(settings),
                    tx.now(),
                    tx.now());
            return find(tx, id).orElseThrow().key();
        });
        return new RegKey(
                key.id(),
                key.ownerId(),
                key.vpcId(),
                null,
                token,
                key.description(),
                key.deviceId(),
                key.expiresAt(),
                key.securityGroupId(),
                key.settings());
    }

    private Object update(Call c) {
        UUID id = c.pathId("id");
        UpdateRegKey in = c.body(UpdateRegKey.class);
        return db.write(tx -> {
            Row r = manageable(tx, c.principal(), id);
            RegKey k = r.key();
            java.time.Instant expires = k.expiresAt();
            if (in.expiresAt() != null) {
                if (in.expiresAt().equals(UpdateRegKey.NO_EXPIRY)
                        || in.expiresAt().equals(java.time.Instant.EPOCH)) {
                    expires = null;
                } else if (!in.expiresAt().isAfter(clock.instant())) {
                    throw ApiError.invalid("expires_at", "must be in the future");
                } else {
                    expires = in.expiresAt();
                }
            }
            if (in.securityGroupId() != null) {
                checkSg(tx, in.securityGroupId(), k.vpcId());
            }
            tx.update(
                    "UPDATE reg_keys SET description = ?, expires_at = ?, security_group_id = ?, settings = ?, updated_at = ? WHERE id = ?",
                    in.description() != null ? in.description() : k.description(),
                    expires,
                    in.securityGroupId() != null ? in.securityGroupId() : k.securityGroupId(),
                    JsonText.write(in.settings() != null ? in.settings() : k.settings()),
                    tx.now(),
                    id);
            return find(tx, id).orElseThrow().key();
        });
    }

    private Object delete(Call c) {
        UUID id = c.pathId("id");
        return db.write(tx -> {
            Row r = manageable(tx, c.principal(), id);
            tx.update("UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE id = ?", tx.now(), id);
            return r.key();
        });
    }

    private static void checkSg(Tx tx, UUID sg, UUID vpcId) throws SQLException {
        SecurityGroup g = SecurityGroups.find(tx, sg)
                .orElseThrow(() -> ApiError.invalid("security_group_id", "no such security group"));
        if (!g.vpcId().equals(vpcId)) {
            throw ApiError.invalid("security_group_id", "the security group belongs to another VPC");
        }
    }
}
