package io.nexodus.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.HealthStatus;

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
}
