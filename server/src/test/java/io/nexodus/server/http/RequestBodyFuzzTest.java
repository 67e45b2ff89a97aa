package io.nexodus.server.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import io.nexodus.server.testing.RequestBodies;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of the service's handling of JSON request bodies: {@link Call#decode} — Jackson
 * with the service's own mapper, then the documented field limits ({@link RequestLimits}) — for every request body
 * type, and then the resource's own field checks ({@code *Requests.validate}: CIDRs, addresses, endpoints, rules,
 * expiry times) for the types that have them. The first input byte picks the type, the rest is the body. Contract: a
 * value, or an {@link ApiError} 400 (422 for a security rule, as upstream); nothing else escapes (anything else would
 * be a 500). In {@code ./mvnw verify} it
 * runs for a few seconds (see the pom); a plain unit test run replays the committed inputs under src/test/resources
 * only.
 */
class RequestBodyFuzzTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    /** The checks each resource applies after decoding (package-private in the resources' packages). */
    private static final Map<Class<?>, Method> VALIDATORS = validators(List.of(
            "device.DeviceRequests",
            "invitation.InvitationRequests",
            "organization.OrganizationRequests",
            "regkey.RegKeyRequests",
            "relay.RelayRequests",
            "securitygroup.SecurityGroupRequests",
            "vpc.VpcRequests"));

    @FuzzTest(maxDuration = "5s")
    void decodeArbitraryRequestBodies(byte[] data) throws Exception {
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
            Method validate = VALIDATORS.get(javaType.getRawClass());
            if (validate != null) {
                Object[] args = validate.getParameterCount() == 1 ? new Object[] {v} : new Object[] {v, NOW};
                try {
                    if (validate.invoke(null, args) == null) {
                        throw new AssertionError(validate + " returned null");
                    }
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause; // an ApiError is checked below; anything else is a finding
                    }
                    throw e;
                }
            }
        } catch (ApiError e) {
            if (e.status() != 400 && e.status() != 422) {
                throw new AssertionError("status " + e.status() + " for a bad body of " + type, e);
            }
        }
    }

    private static Map<Class<?>, Method> validators(List<String> classes) {
        Map<Class<?>, Method> out = new HashMap<>();
        for (String name : classes) {
            Class<?> c;
            try {
                c = Class.forName("io.nexodus.server." + name);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the fuzz target names a class that is gone: " + name, e);
            }
            int found = 0;
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("validate") && Modifier.isStatic(m.getModifiers())) {
                    Class<?>[] p = m.getParameterTypes();
                    if (p.length == 1 || (p.length == 2 && p[1] == Instant.class)) {
                        m.setAccessible(true);
                        out.put(p[0], m);
                        found++;
                    }
                }
            }
            if (found == 0) {
                throw new IllegalStateException(name + " has no static validate(body) method the fuzz target can call");
            }
        }
        return out;
    }
}
