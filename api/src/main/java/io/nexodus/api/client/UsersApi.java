package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.User;
import java.util.List;
import java.util.UUID;

/** {@code /api/users}: the caller's own user. */
public final class UsersApi {
    private final NexodusClient c;

    UsersApi(NexodusClient c) {
        this.c = c;
    }

    /** {@code GET /api/users/me}. */
    public User me() {
        return c.call("GET", "/api/users/me", null, User.class);
    }

    public User get(UUID id) {
        return c.call("GET", "/api/users/" + id, null, User.class);
    }

    public ListResult<User> list(ListOptions options) {
        return c.list("/api/users", options, new TypeReference<List<User>>() {});
    }

    /** Deletes the caller's own user (400 while it still owns devices). */
    public User delete(UUID id) {
        return c.call("DELETE", "/api/users/" + id, null, User.class);
    }

    /** Removes a user from an organization (the user itself, or an owner of the organization). */
    public void removeFromOrganization(UUID userId, UUID organizationId) {
        c.callNoContent("DELETE", "/api/users/" + userId + "/organizations/" + organizationId, null);
    }
}
