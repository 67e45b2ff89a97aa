package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.VpcConnectivity;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code /api/vpcs}: VPCs of the caller's organizations, and everything in one VPC. */
public final class VpcsApi {
    private final NexodusClient c;

    VpcsApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<Vpc> list(ListOptions options) {
        return c.list("/api/vpcs", options, new TypeReference<List<Vpc>>() {});
    }

    public Vpc get(UUID id) {
        return c.call("GET", "/api/vpcs/" + id, null, Vpc.class);
    }

    public Vpc create(AddVpc body) {
        return c.call("POST", "/api/vpcs", body, Vpc.class);
    }

    public Vpc update(UUID id, UpdateVpc body) {
        return c.call("PATCH", "/api/vpcs/" + id, body, Vpc.class);
    }

    public Vpc delete(UUID id) {
        return c.call("DELETE", "/api/vpcs/" + id, null, Vpc.class);
    }

    /** Every device in the VPC (bearer tokens are never included here). */
    public ListResult<Device> devices(UUID vpcId, ListOptions options) {
        return c.list("/api/vpcs/" + vpcId + "/devices", options, new TypeReference<List<Device>>() {});
    }

    /** Metadata of every device in the VPC; {@code key} (exact) and {@code prefixes} (OR'ed) narrow it; null = all. */
    public List<DeviceMetadata> metadata(UUID vpcId, String key, List<String> prefixes) {
        List<String> q = new ArrayList<>();
        if (key != null) {
            q.add("key=" + NexodusClient.segment(key));
        }
        if (prefixes != null) {
            prefixes.forEach(p -> q.add("prefix=" + NexodusClient.segment(p)));
        }
        String path = "/api/vpcs/" + vpcId + "/metadata" + (q.isEmpty() ? "" : "?" + String.join("&", q));
        return c.call("GET", path, null, new TypeReference<List<DeviceMetadata>>() {});
    }

    /** Who reaches whom in the VPC, from the agents' connectivity reports. */
    public VpcConnectivity connectivity(UUID vpcId) {
        return c.call("GET", "/api/vpcs/" + vpcId + "/connectivity", null, VpcConnectivity.class);
    }

    public ListResult<SecurityGroup> securityGroups(UUID vpcId, ListOptions options) {
        return c.list("/api/vpcs/" + vpcId + "/security-groups", options, new TypeReference<List<SecurityGroup>>() {});
    }
}
