package io.nexodus.server.device;

import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Endpoints only the device itself calls, with its device token: its connectivity reports and its signed peer map.
 * Another device, or a user outside the device's organization, gets 404 (it cannot tell the device exists); a member
 * of the organization or a registration key gets 403.
 */
public final class DeviceTokenAccess {
    private DeviceTokenAccess() {}

    /**
     * The device's row when {@code p} is the device itself; else the 404 or 403 above, the 403 saying "only the device
     * itself {@code action} (device token)".
     */
    public static DeviceStore.Row itself(
            Tx tx, Principal p, UUID deviceId, DeviceStore devices, Memberships memberships, String action)
            throws SQLException {
        DeviceStore.Row row = devices.find(tx, deviceId).orElseThrow(() -> ApiError.notFound("device"));
        String onlyItself = "only the device itself " + action + " (device token)";
        switch (p) {
            case Principal.DevicePrincipal dt -> {
                if (!dt.deviceId().equals(deviceId)) {
                    throw ApiError.notFound("device");
                }
            }
            case Principal.RegKeyPrincipal rk -> throw ApiError.forbidden(onlyItself);
            case Principal.UserPrincipal u -> {
                if (!memberships.isMember(tx, u.userId(), row.organizationId())) {
                    throw ApiError.notFound("device");
                }
                throw ApiError.forbidden(onlyItself);
            }
        }
        return row;
    }
}
