package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.UpdateRegKey;
import java.util.List;
import java.util.UUID;

/** {@code /api/reg-keys}: registration keys ({@code RK:} tokens). */
public final class RegKeysApi {
    private final NexodusClient c;

    RegKeysApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<RegKey> list(ListOptions options) {
        return c.list("/api/reg-keys", options, new TypeReference<List<RegKey>>() {});
    }

    public RegKey get(UUID id) {
        return c.call("GET", "/api/reg-keys/" + id, null, RegKey.class);
    }

    /** {@code GET /api/reg-keys/me}: the key the client authenticates with (RK: token only). */
    public RegKey me() {
        return c.call("GET", "/api/reg-keys/me", null, RegKey.class);
    }

    /** Creates a key; the response is the only one that contains the {@code RK:} token. */
    public RegKey create(AddRegKey body) {
        return c.call("POST", "/api/reg-keys", body, RegKey.class);
    }

    public RegKey update(UUID id, UpdateRegKey body) {
        return c.call("PATCH", "/api/reg-keys/" + id, body, RegKey.class);
    }

    public RegKey delete(UUID id) {
        return c.call("DELETE", "/api/reg-keys/" + id, null, RegKey.class);
    }
}
