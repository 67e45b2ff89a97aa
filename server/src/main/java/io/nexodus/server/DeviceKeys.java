package io.nexodus.server;

import io.nexodus.core.key.NodePublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The WireGuard keys of registered (not deleted) devices and their VPCs, read from the database on each call. The
 * public DERP relay admits and separates clients by them ({@code relay.DeviceDirectory} keeps them in memory).
 */
public interface DeviceKeys {
    /** The VPC of the live device with this key, if there is one. */
    Optional<UUID> vpcOf(NodePublicKey key);

    /** Every live device's key and VPC. */
    Map<NodePublicKey, UUID> all();

    /** A number that changes whenever a device is registered, changed or deleted (the devices' highest revision). */
    long revision();
}
