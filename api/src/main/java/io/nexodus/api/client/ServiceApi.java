package io.nexodus.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.HealthStatus;
import io.nexodus.api.model.UserInfoResponse;
import java.nio.charset.StandardCharsets;

/** Endpoints outside {@code /api}: identity-provider discovery for agents/CLI, health, the OpenAPI document. */
public final class ServiceApi {
    private final NexodusClient c;

    ServiceApi(NexodusClient c) {
        this.c = c;
    }

    /** {@code POST /device/login/start}: where to log in (issuer, device endpoint, client id) and the server time. */
    public DeviceStartResponse deviceLoginStart() {
        return c.call("POST", "/device/login/start", null, DeviceStartResponse.class);
    }

    public HealthStatus live() {
        return c.call("GET", "/private/live", null, HealthStatus.class);
    }

    public HealthStatus ready() {
        return c.call("GET", "/private/ready", null, HealthStatus.class);
    }

    public JsonNode openApi() {
        return c.call("GET", "/openapi.json", null, JsonNode.class);
    }

    /** The service's signing keys (JWKS), upstream's {@code GET /device/certs}. */
    public JsonNode deviceCerts() {
        return c.call("GET", "/device/certs", null, JsonNode.class);
    }

    /** OIDC userinfo of the caller (built-in identity provider). */
    public UserInfoResponse userInfo() {
        return c.call("GET", "/oauth/userinfo", null, UserInfoResponse.class);
    }

    /** Prometheus metrics text. */
    public String metrics() {
        return new String(c.exchange("GET", "/metrics", null).body(), StandardCharsets.UTF_8);
    }

    /** Administrators: hard-delete rows soft-deleted longer ago than {@code retention} (e.g. "24h"); returns counts. */
    public JsonNode gc(String retention) {
        return c.call("GET", "/private/gc?retention=" + NexodusClient.segment(retention), null, JsonNode.class);
    }
}
