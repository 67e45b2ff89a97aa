package io.nexodus.server.securitygroup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import io.nexodus.server.vpc.Vpcs;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/security-groups}: read by members of the VPC's organization (and DT: tokens of that VPC); created,
 * changed and deleted by its owners. Writes need feature flag {@code security-groups}.
 */
public final class SecurityGroupRoutes {
    private final Database db;
    private final FeatureFlags flags;

    public SecurityGroupRoutes(Database db, FeatureFlags flags) {
        this.db = db;
        this.flags = flags;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/security-groups")
                        .tag("Security Groups")
                        .access(Access.AUTHENTICATED)
                        .summary("List security groups")
                        .listParams()
                        .returns(new TypeReference<List<SecurityGroup>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/security-groups")
                        .tag("Security Groups")
                        .status(201)
                        .summary("Create a security group (owner)")
                        .body(AddSecurityGroup.class)
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405, 422)
                        .handler(this::create),
                Route.get("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a security group")
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404)
                        .handler(c -> {
                            noRegKey(c);
                            return db.read(tx -> readable(tx, c.principal(), c.pathId("id")));
                        }),
                Route.patch("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .summary("Update a security group (owner)")
                        .body(UpdateSecurityGroup.class)
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405, 422)
                        .handler(this::update),
                Route.delete("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .summary("Delete a security group (owner; not the default; unused)")
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405)
                        .handler(this::delete));
    }

    static SecurityGroup readable(Tx tx, Principal p, UUID id) throws SQLException {
        SecurityGroup g = SecurityGroups.find(tx, id).orElseThrow(() -> ApiError.notFound("security group"));
        try {
            Vpcs.readable(tx, p, g.vpcId());
        } catch (ApiError e) {
            throw ApiError.notFound("security group");
        }
        return g;
    }

    private static void noRegKey(Call c) {
        if (c.principal() instanceof Principal.RegKeyPrincipal) {
            throw ApiError.forbidden("not allowed with a registration key");
        }
    }

    private Object list(Call c) {
        noRegKey(c);
        Principal p = c.principal();
        return ListReply.of(
                db.read(tx -> switch (p) {
                    case Principal.UserPrincipal u ->
                        tx.query(
                                "SELECT " + SecurityGroups.COLS
                                        + " FROM security_groups WHERE deleted_at IS NULL AND organization_id IN ("
                                        + Memberships.MEMBER_ORGS + ") ORDER BY created_at",
                                SecurityGroups::map,
                                u.userId());
                    case Principal.RegKeyPrincipal rk -> List.<SecurityGroup>of();
                    case Principal.DevicePrincipal dt ->
                        tx.query(
                                "SELECT " + SecurityGroups.COLS
                                        + " FROM security_groups WHERE deleted_at IS NULL AND vpc_id = ?",
                                SecurityGroups::map,
                                dt.vpcId());
                }),
                null);
    }

    private Object create(Call c) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        AddSecurityGroup in = c.body(AddSecurityGroup.class);
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        var inbound = RuleValidator.validate(in.inboundRules());
        var outbound = RuleValidator.validate(in.outboundRules());
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            Vpc v = Vpcs.find(tx, in.vpcId()).orElseThrow(() -> ApiError.notFound("vpc"));
            Memberships.requireOwner(tx, user, v.organizationId(), "vpc");
            return SecurityGroups.insert(
                    tx,
                    UUID.randomUUID(),
                    v.id(),
                    v.organizationId(),
                    in.description() == null ? "" : in.description(),
                    inbound,
                    outbound);
        });
    }

    private Object update(Call c) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        UUID id = c.pathId("id");
        UpdateSecurityGroup in = c.body(UpdateSecurityGroup.class);
        var inbound = in.inboundRules() == null ? null : RuleValidator.validate(in.inboundRules());
        var outbound = in.outboundRules() == null ? null : RuleValidator.validate(in.outboundRules());
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            SecurityGroup g = readable(tx, c.principal(), id);
            Vpc v = Vpcs.find(tx, g.vpcId()).orElseThrow();
            Memberships.requireOwner(tx, user, v.organizationId(), "security group");
            tx.update(
                    "UPDATE security_groups SET description = ?, inbound_rules = ?, outbound_rules = ?, revision = ?, updated_at = ? WHERE id = ?",
                    in.description() != null ? in.description() : g.description(),
                    JsonText.write(inbound != null ? inbound : g.inboundRules()),
                    JsonText.write(outbound != null ? outbound : g.outboundRules()),
                    tx.nextRevision(),
                    tx.now(),
                    id);
            tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, g.vpcId()));
            return SecurityGroups.find(tx, id).orElseThrow();
        });
    }

    private Object delete(Call c) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            SecurityGroup g = readable(tx, c.principal(), id);
            Vpc v = Vpcs.find(tx, g.vpcId()).orElseThrow();
            Memberships.requireOwner(tx, user, v.organizationId(), "security group");
            if (g.id().equals(g.vpcId())) {
                throw ApiError.notAllowed("the default security group of a VPC cannot be deleted");
            }
            if (tx.exists("SELECT 1 FROM devices WHERE security_group_id = ? AND deleted_at IS NULL", id)) {
                throw ApiError.notAllowed("the security group is used by devices");
            }
            tx.update("UPDATE reg_keys SET security_group_id = NULL WHERE security_group_id = ?", id);
            tx.update(
                    "UPDATE security_groups SET deleted_at = ?, revision = ? WHERE id = ?",
                    tx.now(),
                    tx.nextRevision(),
                    id);
            tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, g.vpcId()));
            return g;
        });
    }
}
