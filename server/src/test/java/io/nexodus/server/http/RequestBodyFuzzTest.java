package io.nexodus.server.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import io.nexodus.server.testing.RequestBodies;
import java.lang.reflect.Type;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the service's decoding of JSON request bodies: {@link Call#decode} — Jackson
 * with the service's own mapper, then the documented field limits ({@link RequestLimits}) — for every request body
 * type. The first input byte picks the type, the rest is the body. Contract: a value, or an {@link ApiError} 400;
 * nothing else escapes (anything else would be a 500). In {@code ./mvnw verify} it runs for a few seconds (see the
 * pom); a plain unit test run replays the committed inputs under src/test/resources only.
 */
class RequestBodyFuzzTest {
    private static final ObjectMapper JSON = Json.mapper();

    @FuzzTest(maxDuration = "5s")
    void decodeArbitraryRequestBodies(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Type type = RequestBodies.TYPES.get(Byte.toUnsignedInt(data[0]) % RequestBodies.TYPES.size());
        JavaType javaType = JSON.constructType(type);
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        try {
            Object v =
                    Call.decode(body, javaType.getRawClass().getSimpleName(), b -> JSON.readValue(b, javaType), JSON);
            if (v == null) {
                throw new AssertionError("decode returned null for " + type);
            }
        } catch (ApiError e) {
            if (e.status() != 400) {
                throw new AssertionError("status " + e.status() + " for a bad body of " + type, e);
            }
        }
    }
}
