package io.nexodus.server.regkey;

import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.Notice;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.OpaqueTokens;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.vpc.VpcAccess;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Registration keys: created by members of the VPC's organization; read, changed and deleted by their creator or an
 * owner of the organization (others get 404). A registration key reads itself ({@link #own}). The {@code RK:} token
 * is returned by {@link #create} only: the database holds its hash.
 */
public final class RegKeys {
    private final Database db;
    private final RegKeyStore store;
    private final VpcAccess vpcs;
    private final SecurityGroups groups;
    private final Memberships memberships;
    private final Clock clock;

    public RegKeys(
            Database db,
            RegKeyStore store,
            VpcAccess vpcs,
            SecurityGroups groups,
            Memberships memberships,
            Clock clock) {
        this.db = db;
        this.store = store;
        this.vpcs = vpcs;
        this.groups = groups;
        this.memberships = memberships;
        this.clock = clock;
    }

    public List<RegKey> list(Principal p) {
        return db.read(tx -> store.listManagedBy(tx, p.ownerId()));
    }

    /** {@code GET /api/reg-keys/me}: the calling registration key itself. */
    public RegKey own(Principal p) {
        noDeviceToken(p);
        if (!(p instanceof Principal.RegKeyPrincipal rk)) {
            throw ApiError.invalid("id", "'me' is only valid with a registration key token");
        }
        return db.read(tx -> found(tx, rk.regKeyId()).key());
    }

    public RegKey get(Principal p, UUID id) {
        noDeviceToken(p);
        if (p instanceof Principal.RegKeyPrincipal rk) {
            if (!rk.regKeyId().equals(id)) {
                throw ApiError.notFound("reg key");
            }
            return db.read(tx -> found(tx, id).key());
        }
        return db.read(tx -> manageable(tx, p, id).key());
    }

    /** Creates a key; the result carries the {@code RK:} token (the only time it is shown). */
    public RegKey create(Principal p, AddRegKey request) {
        AddRegKey in = RegKeyRequests.validate(request, clock.instant());
        String token = OpaqueTokens.generate(OpaqueTokens.REG_KEY);
        RegKey key = db.write(tx -> {
            Vpc v = vpcs.readable(tx, p, in.vpcId());
            if (in.securityGroupId() != null) {
                groups.requireInVpc(tx, in.securityGroupId(), v.id());
            }
            UUID id = UUID.randomUUID();
            store.insert(
                    tx,
                    new RegKey(
                            id,
                            p.ownerId(),
                            v.id(),
                            null,
                            null,
                            in.description(),
                            in.singleUse() ? UUID.randomUUID() : null,
                            in.expiresAt(),
                            in.securityGroupId(),
                            in.settings()),
                    v.organizationId(),
                    OpaqueTokens.hash(token));
            return store.find(tx, id).orElseThrow().key();
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

    public RegKey update(Principal p, UUID id, UpdateRegKey request) {
        UpdateRegKey in = RegKeyRequests.validate(request, clock.instant());
        return db.write(tx -> {
            RegKeyStore.Row row = manageable(tx, p, id);
            RegKey k = row.key();
            Instant expires = k.expiresAt();
            if (in.expiresAt() != null) {
                expires = in.expiresAt().equals(UpdateRegKey.NO_EXPIRY) ? null : in.expiresAt();
            }
            if (in.securityGroupId() != null) {
                groups.requireInVpc(tx, in.securityGroupId(), k.vpcId());
            }
            tx.signal(Topics.notice(Notice.REG_KEYS, row.organizationId()));
            store.update(
                    tx,
                    new RegKey(
                            id,
                            k.ownerId(),
                            k.vpcId(),
                            null,
                            null,
                            in.description() != null ? in.description() : k.description(),
                            k.deviceId(),
                            expires,
                            in.securityGroupId() != null ? in.securityGroupId() : k.securityGroupId(),
                            in.settings() != null ? in.settings() : k.settings()));
            return store.find(tx, id).orElseThrow().key();
        });
    }

    public RegKey delete(Principal p, UUID id) {
        return db.write(tx -> {
            RegKeyStore.Row r = manageable(tx, p, id);
            store.delete(tx, id);
            tx.signal(Topics.notice(Notice.REG_KEYS, r.organizationId()));
            return r.key();
        });
    }

    private RegKeyStore.Row found(Tx tx, UUID id) throws SQLException {
        return store.find(tx, id).orElseThrow(() -> ApiError.notFound("reg key"));
    }

    /** The key if the user created it or owns its organization; others 404. */
    private RegKeyStore.Row manageable(Tx tx, Principal p, UUID id) throws SQLException {
        RegKeyStore.Row r = found(tx, id);
        if (p instanceof Principal.UserPrincipal u
                && (u.userId().equals(r.key().ownerId()) || memberships.isOwner(tx, u.userId(), r.organizationId()))) {
            return r;
        }
        throw ApiError.notFound("reg key");
    }

    private static void noDeviceToken(Principal p) {
        if (p instanceof Principal.DevicePrincipal) {
            throw ApiError.forbidden("not allowed with a device token");
        }
    }
}
