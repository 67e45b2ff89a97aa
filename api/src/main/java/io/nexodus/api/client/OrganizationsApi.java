package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.UserOrganization;
import java.util.List;
import java.util.UUID;

/** {@code /api/organizations}: organizations the caller belongs to, and their members. */
public final class OrganizationsApi {
    private final NexodusClient c;

    OrganizationsApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<Organization> list(ListOptions options) {
        return c.list("/api/organizations", options, new TypeReference<List<Organization>>() {});
    }

    public Organization get(UUID id) {
        return c.call("GET", "/api/organizations/" + id, null, Organization.class);
    }

    /** Creates an organization; the caller becomes its owner. 409 if the name is taken. */
    public Organization create(AddOrganization body) {
        return c.call("POST", "/api/organizations", body, Organization.class);
    }

    /** Deletes an organization (owner only; not a default organization; no devices left). */
    public Organization delete(UUID id) {
        return c.call("DELETE", "/api/organizations/" + id, null, Organization.class);
    }

    public ListResult<UserOrganization> listUsers(UUID organizationId, ListOptions options) {
        return c.list(
                "/api/organizations/" + organizationId + "/users",
                options,
                new TypeReference<List<UserOrganization>>() {});
    }

    public UserOrganization getUser(UUID organizationId, UUID userId) {
        return c.call("GET", "/api/organizations/" + organizationId + "/users/" + userId, null, UserOrganization.class);
    }

    /** Removes a member (owner only; also removes that member's devices and registration keys in the organization). */
    public void removeUser(UUID organizationId, UUID userId) {
        c.callNoContent("DELETE", "/api/organizations/" + organizationId + "/users/" + userId, null);
    }
}
