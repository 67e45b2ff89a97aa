package io.nexodus.server.peermap;

import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.DeviceTokenAccess;
import io.nexodus.server.device.MetadataStore;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.securitygroup.SecurityGroupStore;
import io.nexodus.server.vpc.VpcStore;
import java.util.List;
import java.util.UUID;

/**
 * Signed peer maps: what a device's agent needs to bring its tunnels up while the service is unreachable (the VPC,
 * the device, the other devices as the watch delivers them, the VPC's security groups, the devices' relay metadata),
 * signed with the service's {@link PeerMapKeys}. Only the device itself may fetch its map, with its device token.
 */
public final class PeerMaps {
    /** The device metadata key relays publish themselves under (what the agent's watch subscribes to). */
    static final String RELAY_KEY = "relay";

    private final Database db;
    private final PeerMapKeys keys;
    private final DeviceStore devices;
    private final VpcStore vpcs;
    private final SecurityGroupStore groups;
    private final MetadataStore metadata;
    private final Memberships memberships;

    public PeerMaps(
            Database db,
            PeerMapKeys keys,
            DeviceStore devices,
            VpcStore vpcs,
            SecurityGroupStore groups,
            MetadataStore metadata,
            Memberships memberships) {
        this.db = db;
        this.keys = keys;
        this.devices = devices;
        this.vpcs = vpcs;
        this.groups = groups;
        this.metadata = metadata;
        this.memberships = memberships;
    }

    public PeerMapKey key() {
        return keys.published();
    }

    /** The device's peer map as of now, signed. */
    public SignedPeerMap issue(Principal p, UUID deviceId) {
        PeerMap map = db.read(tx -> {
            DeviceStore.Row row =
                    DeviceTokenAccess.itself(tx, p, deviceId, devices, memberships, "fetches its peer map");
            Device self = row.device();
            Vpc vpc = vpcs.find(tx, self.vpcId()).orElseThrow(() -> ApiError.notFound("vpc"));
            List<Device> peers = devices.listInVpcAbove(tx, vpc.id(), 0).stream()
                    .filter(d -> !d.id().equals(deviceId))
                    .map(Device::withoutBearerToken)
                    .toList();
            List<DeviceMetadata> relays = metadata.listInVpcAbove(tx, vpc.id(), 0).stream()
                    .filter(m -> RELAY_KEY.equals(m.key()))
                    .toList();
            return new PeerMap(
                    PeerMap.FORMAT,
                    vpc.id(),
                    deviceId,
                    tx.now(),
                    vpc,
                    self.withoutBearerToken(),
                    peers,
                    groups.listInVpc(tx, vpc.id()),
                    relays);
        });
        return PeerMapSignature.sign(map, keys.published().keyId(), keys.privateKey());
    }
}
