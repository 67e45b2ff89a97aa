package io.nexodus.server.auth;

import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.user.Users;
import java.time.Clock;
import java.time.Instant;

/**
 * Authenticates bearer tokens in-process (upstream needed Envoy to exchange RK:/DT: tokens for JWTs):
 * {@code RK:...} → the registration key (not deleted, not expired), {@code DT:...} → the device (not deleted),
 * anything else → a JWT of the configured identity provider, whose user is provisioned on first sight.
 */
public final class TokenAuthenticator implements Authenticator {
    private final Database db;
    private final IdentityProvider idp;
    private final Users users;
    private final Clock clock;

    public TokenAuthenticator(Database db, IdentityProvider idp, Users users, Clock clock) {
        this.db = db;
        this.idp = idp;
        this.users = users;
        this.clock = clock;
    }

    @Override
    public Principal authenticate(String token) {
        if (token.startsWith(OpaqueTokens.REG_KEY)) {
            return regKey(token);
        }
        if (token.startsWith(OpaqueTokens.DEVICE)) {
            return device(token);
        }
        IdentityProvider.Verified v = idp.verify(token);
        var user = users.provision(v.claims());
        return new Principal.UserPrincipal(user.id(), user.username(), v.admin());
    }

    private Principal regKey(String token) {
        String hash = OpaqueTokens.hash(token);
        record K(Principal.RegKeyPrincipal p, Instant expires, String hash) {}
        K k = db.read(tx -> tx.queryOne(
                        "SELECT id, owner_id, vpc_id, organization_id, device_id, security_group_id, expires_at, token_hash "
                                + "FROM reg_keys WHERE token_hash = ? AND deleted_at IS NULL",
                        rs -> new K(
                                new Principal.RegKeyPrincipal(
                                        Cols.uuid(rs, "id"),
                                        Cols.uuid(rs, "owner_id"),
                                        Cols.uuid(rs, "vpc_id"),
                                        Cols.uuid(rs, "organization_id"),
                                        Cols.uuid(rs, "device_id"),
                                        Cols.uuid(rs, "security_group_id")),
                                Cols.instant(rs, "expires_at"),
                                rs.getString("token_hash")),
                        hash))
                .orElse(null);
        if (k == null || !OpaqueTokens.matches(token, k.hash())) {
            throw ApiError.unauthorized("invalid reg key");
        }
        if (k.expires() != null && !k.expires().isAfter(clock.instant())) {
            throw ApiError.unauthorized("reg key expired");
        }
        return k.p();
    }

    private Principal device(String token) {
        String hash = OpaqueTokens.hash(token);
        record D(Principal.DevicePrincipal p, String hash) {}
        D d = db.read(tx -> tx.queryOne(
                        "SELECT id, owner_id, vpc_id, organization_id, token_hash FROM devices WHERE token_hash = ? AND deleted_at IS NULL",
                        rs -> new D(
                                new Principal.DevicePrincipal(
                                        Cols.uuid(rs, "id"),
                                        Cols.uuid(rs, "owner_id"),
                                        Cols.uuid(rs, "vpc_id"),
                                        Cols.uuid(rs, "organization_id")),
                                rs.getString("token_hash")),
                        hash))
                .orElse(null);
        if (d == null || !OpaqueTokens.matches(token, d.hash())) {
            throw ApiError.unauthorized("invalid device token");
        }
        return d.p();
    }
}
