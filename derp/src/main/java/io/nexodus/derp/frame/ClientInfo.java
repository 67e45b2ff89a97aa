package io.nexodus.derp.frame;

import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.json.JsonException;
import io.nexodus.derp.json.JsonObjects;
import java.util.Locale;
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
        return JsonObjects.write(out -> {
            if (meshKey.isPresent()) {
                out.writeStringField("meshKey", meshKey.get().toHex());
            }
            if (version != 0) {
                out.writeNumberField("version", version);
            }
            out.writeBooleanField("CanAckPings", canAckPings);
            if (isProber) {
                out.writeBooleanField("IsProber", true);
            }
            if (!appName.isEmpty()) {
                out.writeStringField("AppName", appName);
            }
        });
    }

    /** Parses the JSON; a typed error for bad JSON, wrong value types or a mesh key that is not 32 bytes of hex. */
    public static ClientInfo parse(String json) throws JsonException {
        Fields f = new Fields();
        JsonObjects.read(json, (name, v) -> {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "meshkey" -> f.meshKey = meshKey(JsonObjects.stringValue(v, "invalid mesh key: meshKey"));
                case "version" -> f.version = JsonObjects.intValue(v, "version");
                case "canackpings" -> f.canAckPings = JsonObjects.boolValue(v, "CanAckPings");
                case "isprober" -> f.isProber = JsonObjects.boolValue(v, "IsProber");
                case "appname" -> f.appName = JsonObjects.stringValue(v, "AppName");
                default -> {} // unknown names are ignored, as in Go
            }
        });
        return new ClientInfo(f.meshKey, f.version, f.canAckPings, f.isProber, f.appName);
    }

    private static Optional<MeshKey> meshKey(String hex) throws JsonException {
        if (hex.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MeshKey.parse(hex));
        } catch (IllegalArgumentException e) {
            throw new JsonException("invalid mesh key");
        }
    }

    /** The members read so far (the last of duplicates wins, as in Go). */
    private static final class Fields {
        Optional<MeshKey> meshKey = Optional.empty();
        int version;
        boolean canAckPings;
        boolean isProber;
        String appName = "";
    }
}
