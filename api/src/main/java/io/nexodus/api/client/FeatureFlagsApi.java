package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Map;

/** {@code /api/fflags}: which optional features this service has enabled. */
public final class FeatureFlagsApi {
    private final NexodusClient c;

    FeatureFlagsApi(NexodusClient c) {
        this.c = c;
    }

    public Map<String, Boolean> list() {
        return c.call("GET", "/api/fflags", null, new TypeReference<Map<String, Boolean>>() {});
    }

    /** The value of one flag; 404 ({@link ApiException}) for an unknown flag. */
    public boolean get(String name) {
        Map<String, Boolean> m = c.call(
                "GET",
                "/api/fflags/" + NexodusClient.segment(name),
                null,
                new TypeReference<Map<String, Boolean>>() {});
        return Boolean.TRUE.equals(m.get(name));
    }
}
