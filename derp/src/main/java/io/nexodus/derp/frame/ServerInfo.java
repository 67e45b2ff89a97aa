package io.nexodus.derp.frame;

import io.nexodus.derp.json.Json;
import io.nexodus.derp.json.JsonException;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON a server seals into its ServerInfo frame. Servers send {@code {"version":2}}; the token-bucket fields ask
 * the client to limit its sending rate (clients drop, not block, over the limit).
 */
public record ServerInfo(int version, long tokenBucketBytesPerSecond, long tokenBucketBytesBurst) {

    public static ServerInfo current() {
        return new ServerInfo(2, 0, 0);
    }

    public String toJson() {
        StringBuilder b = new StringBuilder("{");
        String sep = "";
        if (version != 0) {
            b.append("\"version\":").append(version);
            sep = ",";
        }
        if (tokenBucketBytesPerSecond != 0) {
            b.append(sep).append("\"TokenBucketBytesPerSecond\":").append(tokenBucketBytesPerSecond);
            sep = ",";
        }
        if (tokenBucketBytesBurst != 0) {
            b.append(sep).append("\"TokenBucketBytesBurst\":").append(tokenBucketBytesBurst);
        }
        return b.append('}').toString();
    }

    public static ServerInfo parse(String json) throws JsonException {
        Map<String, Object> m = Json.parseObject(json);
        int version = 0;
        long rate = 0;
        long burst = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            if (v == Json.NULL) {
                continue;
            }
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "version" -> version = ClientInfo.intValue(v, "version");
                case "tokenbucketbytespersecond" -> rate = ClientInfo.longValue(v, "TokenBucketBytesPerSecond");
                case "tokenbucketbytesburst" -> burst = ClientInfo.longValue(v, "TokenBucketBytesBurst");
                default -> {}
            }
        }
        return new ServerInfo(version, rate, burst);
    }
}
