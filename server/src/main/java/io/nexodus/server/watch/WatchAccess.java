package io.nexodus.server.watch;

import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.vpc.VpcAccess;
import java.util.Set;
import java.util.UUID;

/**
 * Who may open a watch stream, and which device it speaks for. Any principal that may read every watched VPC may
 * watch, except registration keys. The stream of a device token is that device's; on {@code /api/vpcs/{id}/events}
 * a user's stream may name its device by public key. That device is online while the stream is open.
 */
public final class WatchAccess {
    private final Database db;
    private final VpcAccess vpcs;
    private final DeviceStore devices;

    public WatchAccess(Database db, VpcAccess vpcs, DeviceStore devices) {
        this.db = db;
        this.vpcs = vpcs;
        this.devices = devices;
    }

    /** 403 for registration keys (before the request body is read). */
    void requireWatcher(Principal p) {
        if (p instanceof Principal.RegKeyPrincipal) {
            throw ApiError.forbidden("registration keys cannot watch; use the device token");
        }
    }

    /**
     * Checks that the principal may read every VPC (404 otherwise) and returns the device the stream speaks for, or
     * null.
     *
     * @param publicKey the {@code public_key} query parameter, or null
     * @param pathVpc the VPC of {@code /api/vpcs/{id}/events}, or null
     */
    UUID open(Principal p, Set<UUID> vpcIds, String publicKey, UUID pathVpc) {
        requireWatcher(p);
        return db.read(tx -> {
            for (UUID v : vpcIds) {
                vpcs.readable(tx, p, v);
            }
            if (p instanceof Principal.DevicePrincipal dt) {
                return dt.deviceId();
            }
            if (publicKey != null && pathVpc != null) {
                return devices.idInVpcByPublicKey(tx, publicKey, pathVpc).orElse(null);
            }
            return null;
        });
    }
}
