package io.nexodus.derp.frame;

import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.json.Json;
import io.nexodus.derp.json.JsonException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON a client seals into its ClientInfo frame. Encoding follows Go's field order and {@code omitempty} rules
 * ({@code CanAckPings} is always present); decoding matches names case-insensitively and ignores unknown names, as Go's
 * {@code encoding/json} does.
 */
public record ClientInfo(
        Optional<MeshKey> meshKey, int version, boolean canAckPings, boolean isProber, String appName) {
    public ClientInfo {
        Objects.requireNonNull(meshKey);
        Objects.requireNonNull(appName);
    }

    /** What an ordinary client (tailscaled, nexd) sends: {@code {"version":2,"CanAckPings":true}}. */
    public static ClientInfo regular() {
        return new ClientInfo(Optional.empty(), 2, true, false, "");
    }

    /** What a mesh peer sends: its mesh key, version 2, {@code CanAckPings:false}. */
    public static ClientInfo meshPeer(MeshKey key) {
        return new ClientInfo(Optional.of(key), 2, false, false, "");
    }

    public String toJson() {
        StringBuilder b = new StringBuilder("{");
        meshKey.ifPresent(
                k -> b.append("\"meshKey\":").append(Json.quote(k.toHex())).append(','));
        if (version != 0) {
            b.append("\"version\":").append(version).append(',');
        }
        b.append("\"CanAckPings\":").append(canAckPings);
        if (isProber) {
            b.append(",\"IsProber\":true");
        }
        if (!appName.isEmpty()) {
            b.append(",\"AppName\":").append(Json.quote(appName));
        }
        return b.append('}').toString();
    }

    /** Parses the JSON; a typed error for bad JSON, wrong value types or a mesh key that is not 32 bytes of hex. */
    public static ClientInfo parse(String json) throws JsonException {
        Map<String, Object> m = Json.parseObject(json);
        Optional<MeshKey> mesh = Optional.empty();
        int version = 0;
        boolean canAck = false;
        boolean prober = false;
        String app = "";
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            if (v == Json.NULL) {
                continue;
            }
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "meshkey" -> {
                    if (!(v instanceof String s)) {
                        throw new JsonException("invalid mesh key: not a string");
                    }
                    if (!s.isEmpty()) {
                        try {
                            mesh = Optional.of(MeshKey.parse(s));
                        } catch (IllegalArgumentException ex) {
                            throw new JsonException("invalid mesh key");
                        }
                    }
                }
                case "version" -> version = intValue(v, "version");
                case "canackpings" -> canAck = boolValue(v, "CanAckPings");
                case "isprober" -> prober = boolValue(v, "IsProber");
                case "appname" -> {
                    if (!(v instanceof String s)) {
                        throw new JsonException("AppName is not a string");
                    }
                    app = s;
                }
                default -> {} // unknown names are ignored, as in Go
            }
        }
        return new ClientInfo(mesh, version, canAck, prober, app);
    }

    static int intValue(Object v, String name) throws JsonException {
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        throw new JsonException(name + " is not an integer");
    }

    static long longValue(Object v, String name) throws JsonException {
        if (v instanceof Long l) {
            return l;
        }
        throw new JsonException(name + " is not an integer");
    }

    private static boolean boolValue(Object v, String name) throws JsonException {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new JsonException(name + " is not a boolean");
    }
}
