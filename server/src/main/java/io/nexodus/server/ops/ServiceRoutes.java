package io.nexodus.server.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.HealthStatus;
import io.nexodus.core.time.DurationSyntax;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.IdentityProvider;
import io.nexodus.server.auth.SigningKeys;
import io.nexodus.server.db.Database;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.RawReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Feature flags, IdP discovery for agents, JWKS, health, metrics, the OpenAPI document and garbage collection. */
public final class ServiceRoutes {
    private final FeatureFlags flags;
    private final IdentityProvider idp;
    private final SigningKeys keys;
    private final Database db;
    private final PrometheusMeterRegistry prometheus;
    private final BooleanSupplier ready;
    private final Supplier<Object> openApi;
    private final Gc gc;

    public ServiceRoutes(
            FeatureFlags flags,
            IdentityProvider idp,
            SigningKeys keys,
            Database db,
            PrometheusMeterRegistry prometheus,
            BooleanSupplier ready,
            Supplier<Object> openApi) {
        this.flags = flags;
        this.idp = idp;
        this.keys = keys;
        this.db = db;
        this.prometheus = prometheus;
        this.ready = ready;
        this.openApi = openApi;
        this.gc = new Gc(db);
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/fflags")
                        .tag("Feature Flags")
                        .access(Access.AUTHENTICATED)
                        .summary("All feature flags")
                        .returns(new com.fasterxml.jackson.core.type.TypeReference<Map<String, Boolean>>() {}.getType())
                        .handler(c -> flags.flags()),
                Route.get("/api/fflags/{name}")
                        .tag("Feature Flags")
                        .access(Access.AUTHENTICATED)
                        .summary("One feature flag")
                        .returns(new com.fasterxml.jackson.core.type.TypeReference<Map<String, Boolean>>() {}.getType())
                        .errors(404)
                        .handler(this::flag),
                Route.post("/device/login/start")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary(
                                "Where agents and the CLI log in (issuer, device endpoint, client id) and the server time")
                        .returns(DeviceStartResponse.class)
                        .handler(c -> idp.deviceStart()),
                Route.get("/device/certs")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("The service's signing keys (JWKS), as upstream")
                        .returns(Map.class)
                        .handler(c -> keys.publicSet().toJSONObject()),
                Route.get("/private/live")
                        .tag("Health")
                        .access(Access.PUBLIC)
                        .summary("Liveness")
                        .returns(HealthStatus.class)
                        .handler(c -> new HealthStatus("UP")),
                Route.get("/private/ready")
                        .tag("Health")
                        .access(Access.PUBLIC)
                        .summary("Readiness: database reachable and not shutting down")
                        .returns(HealthStatus.class)
                        .errors(503)
                        .handler(this::readiness),
                Route.get("/private/gc")
                        .tag("Health")
                        .access(Access.ADMIN)
                        .summary("Hard-delete rows soft-deleted longer ago than retention (default 24h)")
                        .query("retention", "e.g. 24h, 90m, 7d")
                        .returns(Map.class)
                        .errors(400, 403)
                        .handler(this::gc),
                Route.get("/metrics")
                        .tag("Health")
                        .access(Access.PUBLIC)
                        .summary("Prometheus metrics")
                        .contentType("text/plain")
                        .returns(String.class)
                        .handler(c -> new RawReply(
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                prometheus.scrape().getBytes(StandardCharsets.UTF_8))),
                Route.get("/openapi.json")
                        .tag("Health")
                        .access(Access.PUBLIC)
                        .summary("This OpenAPI 3 document")
                        .returns(Map.class)
                        .handler(c -> openApi.get()));
    }

    private Object flag(Call c) {
        String name = c.path("name");
        Boolean v = flags.flags().get(name);
        if (v == null) {
            throw ApiError.notFound("feature flag");
        }
        return Map.of(name, v);
    }

    private Object readiness(Call c) {
        boolean ok = ready.getAsBoolean() && db.isHealthy();
        return Reply.of(ok ? 200 : 503, new HealthStatus(ok ? "UP" : "DOWN"));
    }

    private Object gc(Call c) {
        return gc.collect(parseDuration(c.query("retention").orElse("24h")));
    }

    static Duration parseDuration(String s) {
        try {
            return DurationSyntax.parse(s);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("retention", "a duration such as 24h, 90m or 7d");
        }
    }
}
