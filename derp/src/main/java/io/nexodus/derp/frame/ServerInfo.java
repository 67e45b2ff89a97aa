package io.nexodus.derp.frame;

import io.nexodus.derp.json.JsonException;
import io.nexodus.derp.json.JsonObjects;
import java.util.Locale;

/**
 * The JSON a server seals into its ServerInfo frame. Servers send {@code {"version":2}}; the token-bucket fields ask
 * the client to limit its sending rate (clients drop, not block, over the limit).
 */
public record ServerInfo(int version, long tokenBucketBytesPerSecond, long tokenBucketBytesBurst) {

    public static ServerInfo current() {
        return new ServerInfo(2, 0, 0);
    }

    public String toJson() {
        return JsonObjects.write(out -> {
            if (version != 0) {
                out.writeNumberField("version", version);
            }
            if (tokenBucketBytesPerSecond != 0) {
                out.writeNumberField("TokenBucketBytesPerSecond", tokenBucketBytesPerSecond);
            }
            if (tokenBucketBytesBurst != 0) {
                out.writeNumberField("TokenBucketBytesBurst", tokenBucketBytesBurst);
            }
        });
    }

    public static ServerInfo parse(String json) throws JsonException {
        Fields f = new Fields();
        JsonObjects.read(json, (name, v) -> {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "version" -> f.version = JsonObjects.intValue(v, "version");
                case "tokenbucketbytespersecond" -> f.rate = JsonObjects.longValue(v, "TokenBucketBytesPerSecond");
                case "tokenbucketbytesburst" -> f.burst = JsonObjects.longValue(v, "TokenBucketBytesBurst");
                default -> {} // unknown names are ignored, as in Go
            }
        });
        return new ServerInfo(f.version, f.rate, f.burst);
    }

    /** The members read so far. */
    private static final class Fields {
        int version;
        long rate;
        long burst;
    }
}
