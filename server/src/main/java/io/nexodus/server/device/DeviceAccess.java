package io.nexodus.server.device;

import io.nexodus.api.model.Device;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Who may see and change a device. Read: members of its organization, the registration key that created it, the
 * device itself (metadata also: devices of the same VPC). Change: its owner, an owner of its organization, its
 * registration key, the device itself. Not visible is 404, visible but not changeable 403.
 */
final class DeviceAccess {
    private final DeviceStore store;
    private final Memberships memberships;

    DeviceAccess(DeviceStore store, Memberships memberships) {
        this.store = store;
        this.memberships = memberships;
    }

    /** The device if the principal may read it, else 404. */
    DeviceStore.Row readable(Tx tx, Principal p, UUID id) throws SQLException {
        DeviceStore.Row r = store.find(tx, id).orElseThrow(() -> ApiError.notFound("device"));
        boolean ok = switch (p) {
            case Principal.UserPrincipal u -> memberships.isMember(tx, u.userId(), r.organizationId());
            case Principal.RegKeyPrincipal rk -> rk.regKeyId().equals(r.regKeyId());
            case Principal.DevicePrincipal dt -> dt.deviceId().equals(id);
        };
        if (!ok) {
            throw ApiError.notFound("device");
        }
        return r;
    }

    /** The device if the principal may change it: 404 if it may not even read it, 403 if it may only read it. */
    DeviceStore.Row writable(Tx tx, Principal p, UUID id) throws SQLException {
        DeviceStore.Row r = readable(tx, p, id);
        if (p instanceof Principal.UserPrincipal u
                && !u.userId().equals(r.device().ownerId())
                && !memberships.isOwner(tx, u.userId(), r.organizationId())) {
            throw ApiError.forbidden("only the device's owner or an owner of its organization may change it");
        }
        return r;
    }

    /** Metadata may be read by whoever may read the device, and by devices of the same VPC. */
    DeviceStore.Row metadataReadable(Tx tx, Principal p, UUID id) throws SQLException {
        if (p instanceof Principal.DevicePrincipal dt) {
            DeviceStore.Row r = store.find(tx, id).orElseThrow(() -> ApiError.notFound("device"));
            if (!r.device().vpcId().equals(dt.vpcId())) {
                throw ApiError.notFound("device");
            }
            return r;
        }
        return readable(tx, p, id);
    }

    /** The device as the principal sees it: the sealed token only for the device, its owner and its registration key. */
    static Device present(DeviceStore.Row r, Principal p) {
        boolean show = switch (p) {
            case Principal.UserPrincipal u -> u.userId().equals(r.device().ownerId());
            case Principal.RegKeyPrincipal rk -> rk.regKeyId().equals(r.regKeyId());
            case Principal.DevicePrincipal dt -> dt.deviceId().equals(r.device().id());
        };
        return show && r.sealedToken() != null ? r.device().withBearerToken(r.sealedToken()) : r.device();
    }
}
