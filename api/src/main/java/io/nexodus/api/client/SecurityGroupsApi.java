package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateSecurityGroup;
import java.util.List;
import java.util.UUID;

/** {@code /api/security-groups}. */
public final class SecurityGroupsApi {
    private final NexodusClient c;

    SecurityGroupsApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<SecurityGroup> list(ListOptions options) {
        return c.list("/api/security-groups", options, new TypeReference<List<SecurityGroup>>() {});
    }

    public SecurityGroup get(UUID id) {
        return c.call("GET", "/api/security-groups/" + id, null, SecurityGroup.class);
    }

    public SecurityGroup create(AddSecurityGroup body) {
        return c.call("POST", "/api/security-groups", body, SecurityGroup.class);
    }

    public SecurityGroup update(UUID id, UpdateSecurityGroup body) {
        return c.call("PATCH", "/api/security-groups/" + id, body, SecurityGroup.class);
    }

    public SecurityGroup delete(UUID id) {
        return c.call("DELETE", "/api/security-groups/" + id, null, SecurityGroup.class);
    }
}
