package io.nexodus.server;

import io.nexodus.server.http.ApiError;
import java.util.Map;
import java.util.TreeMap;

/**
 * Optional features, as upstream's {@code /api/fflags}: {@code multi-organization}, {@code security-groups},
 * {@code devices} (default on) and {@code sites}, {@code ca} (off: not implemented here). Set with
 * {@code NEXAPI_FFLAG_<NAME>} (e.g. {@code NEXAPI_FFLAG_MULTI_ORGANIZATION=false}).
 */
public record FeatureFlags(Map<String, Boolean> flags) {
    public static final String MULTI_ORGANIZATION = "multi-organization";
    public static final String SECURITY_GROUPS = "security-groups";
    public static final String DEVICES = "devices";

    public FeatureFlags {
        flags = Map.copyOf(new TreeMap<>(flags));
    }

    public static FeatureFlags fromEnv(Map<String, String> env) {
        Map<String, Boolean> m = new TreeMap<>();
        m.put(MULTI_ORGANIZATION, flag(env, "NEXAPI_FFLAG_MULTI_ORGANIZATION", true));
        m.put(SECURITY_GROUPS, flag(env, "NEXAPI_FFLAG_SECURITY_GROUPS", true));
        m.put(DEVICES, flag(env, "NEXAPI_FFLAG_DEVICES", true));
        m.put("sites", false);
        m.put("ca", false);
        return new FeatureFlags(m);
    }

    public static FeatureFlags defaults() {
        return fromEnv(Map.of());
    }

    private static boolean flag(Map<String, String> env, String name, boolean dflt) {
        String v = env.get(name);
        return (v == null || v.isBlank()) ? dflt : Boolean.parseBoolean(v.strip());
    }

    public boolean enabled(String name) {
        return Boolean.TRUE.equals(flags.get(name));
    }

    /** 405 NotAllowedError("<flag> support is disabled") unless enabled. */
    public void require(String name) {
        if (!enabled(name)) {
            throw ApiError.disabled(name);
        }
    }
}
