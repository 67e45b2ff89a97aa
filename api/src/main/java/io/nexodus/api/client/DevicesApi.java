package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.api.model.UpdateDevice;
import java.util.List;
import java.util.UUID;

/** {@code /api/devices}: devices and their metadata. */
public final class DevicesApi {
    private final NexodusClient c;

    DevicesApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<Device> list(ListOptions options) {
        return c.list("/api/devices", options, new TypeReference<List<Device>>() {});
    }

    public Device get(UUID id) {
        return c.call("GET", "/api/devices/" + id, null, Device.class);
    }

    /**
     * Registers a device. Throws {@link ApiException} with status 409 and {@link ApiException#conflictingId()} when
     * a device with this public key exists. The response carries the sealed device token in {@code bearer_token}.
     */
    public Device create(AddDevice body) {
        return c.call("POST", "/api/devices", body, Device.class);
    }

    /** Creates the device, or, if its public key is already registered, updates that device with the same fields. */
    public Device createOrUpdate(AddDevice body) {
        try {
            return create(body);
        } catch (ApiException e) {
            if (!e.isConflict() || e.conflictingId().isEmpty()) {
                throw e;
            }
            return update(
                    e.conflictingId().get(),
                    new UpdateDevice(
                            body.vpcId(),
                            body.advertiseCidrs(),
                            body.symmetricNat(),
                            body.hostname(),
                            body.endpoints(),
                            null,
                            body.relay(),
                            body.securityGroupId()));
        }
    }

    public Device update(UUID id, UpdateDevice body) {
        return c.call("PATCH", "/api/devices/" + id, body, Device.class);
    }

    /** Deletes a device and releases its addresses; returns it as it was. */
    public Device delete(UUID id) {
        return c.call("DELETE", "/api/devices/" + id, null, Device.class);
    }

    /** All metadata of a device; {@code prefix} (null = all) narrows by key prefix. */
    public List<DeviceMetadata> metadata(UUID id, String prefix) {
        String path =
                "/api/devices/" + id + "/metadata" + (prefix == null ? "" : "?prefix=" + NexodusClient.segment(prefix));
        return c.call("GET", path, null, new TypeReference<List<DeviceMetadata>>() {});
    }

    public DeviceMetadata getMetadata(UUID id, String key) {
        return c.call(
                "GET", "/api/devices/" + id + "/metadata/" + NexodusClient.segment(key), null, DeviceMetadata.class);
    }

    /** Sets one key to any JSON value (a record, map, string, number, JsonNode, ...). */
    public DeviceMetadata putMetadata(UUID id, String key, Object value) {
        JsonNode node = value instanceof JsonNode n ? n : c.json().valueToTree(value);
        return c.call(
                "PUT", "/api/devices/" + id + "/metadata/" + NexodusClient.segment(key), node, DeviceMetadata.class);
    }

    /** Reports this device's connectivity to its peers (device token of the device itself only). */
    public void reportConnectivity(UUID id, ConnectivityReport report) {
        c.callNoContent("PUT", "/api/devices/" + id + "/connectivity", report);
    }

    /**
     * The device's peer map, signed by the service (device token of the device itself only): what its agent needs to
     * bring its tunnels up while the service is unreachable.
     */
    public SignedPeerMap peerMap(UUID id) {
        return c.call("GET", "/api/devices/" + id + "/peer-map", null, SignedPeerMap.class);
    }

    /** The public key the service signs peer maps with (any authenticated caller). */
    public PeerMapKey peerMapKey() {
        return c.call("GET", "/api/peer-map/key", null, PeerMapKey.class);
    }

    public void deleteMetadata(UUID id, String key) {
        c.callNoContent("DELETE", "/api/devices/" + id + "/metadata/" + NexodusClient.segment(key), null);
    }

    /** Deletes every metadata key of the device. */
    public void clearMetadata(UUID id) {
        c.callNoContent("DELETE", "/api/devices/" + id + "/metadata", null);
    }
}
