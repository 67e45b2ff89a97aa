package io.nexodus.server.vpc;

import io.nexodus.api.model.Vpc;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Who may see a VPC: users who belong to its organization; a registration key or device token only its own VPC.
 * Every resource that lives in a VPC (devices, security groups, registration keys, watch streams) asks here.
 */
public final class VpcAccess {
    private final VpcStore store;
    private final Memberships memberships;

    public VpcAccess(VpcStore store, Memberships memberships) {
        this.store = store;
        this.memberships = memberships;
    }

    /** The live VPC, or 404. */
    public Vpc find(Tx tx, UUID id) throws SQLException {
        return store.find(tx, id).orElseThrow(() -> ApiError.notFound("vpc"));
    }

    /** The VPC if the principal may read it, else 404. */
    public Vpc readable(Tx tx, Principal p, UUID id) throws SQLException {
        Vpc v = find(tx, id);
        switch (p) {
            case Principal.UserPrincipal u -> memberships.requireMember(tx, u.userId(), v.organizationId(), "vpc");
            case Principal.RegKeyPrincipal rk -> {
                if (!rk.vpcId().equals(id)) {
                    throw ApiError.notFound("vpc");
                }
            }
            case Principal.DevicePrincipal dt -> {
                if (!dt.vpcId().equals(id)) {
                    throw ApiError.notFound("vpc");
                }
            }
        }
        return v;
    }

    /** The VPC if the user owns its organization: 404 for non-members ({@code resource}), 403 for other members. */
    public Vpc owned(Tx tx, UUID userId, UUID id, String resource) throws SQLException {
        Vpc v = find(tx, id);
        memberships.requireOwner(tx, userId, v.organizationId(), resource);
        return v;
    }
}
