package io.nexodus.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.DeviceAuthorizationResponse;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.TokenResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Logs in to the service's identity provider (the built-in one or an external OIDC issuer, whichever
 * {@code POST /device/login/start} names): resource-owner password grant, refresh, and the device authorization
 * grant (RFC 8628) for interactive agents.
 * <pre>{@code
 * OidcClient idp = OidcClient.discover(api);
 * TokenResponse t = idp.passwordGrant("admin", password);
 * NexodusClient authed = api.withToken(new OidcTokenSource(idp, t, Clock.systemUTC(), tr -> {}));
 * }</pre>
 */
public final class OidcClient {
    private final HttpClient http;
    private final String issuer;
    private final String clientId;
    private final URI tokenEndpoint;
    private final URI deviceAuthorizationEndpoint;
    private final Duration serverClockOffset;

    public OidcClient(
            HttpClient http,
            String issuer,
            String clientId,
            URI tokenEndpoint,
            URI deviceAuthorizationEndpoint,
            Duration serverClockOffset) {
        this.http = http;
        this.issuer = issuer;
        this.clientId = clientId;
        this.tokenEndpoint = tokenEndpoint;
        this.deviceAuthorizationEndpoint = deviceAuthorizationEndpoint;
        this.serverClockOffset = serverClockOffset;
    }

    /** Asks the service where its identity provider is, then reads the provider's OIDC discovery document. */
    public static OidcClient discover(NexodusClient api) {
        DeviceStartResponse start = api.service().deviceLoginStart();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .sslContext(api.tls().sslContext())
                .build();
        String wellKnown = start.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
        JsonNode doc = getJson(http, URI.create(wellKnown));
        String token = doc.path("token_endpoint").asText(null);
        if (token == null) {
            throw new ApiTransportException(wellKnown + " has no token_endpoint", null);
        }
        String device = doc.path("device_authorization_endpoint").asText(start.deviceAuthorizationEndpoint());
        Duration offset =
                start.serverTime() == null ? Duration.ZERO : Duration.between(Instant.now(), start.serverTime());
        return new OidcClient(
                http,
                start.issuer(),
                start.clientId(),
                URI.create(token),
                device == null ? null : URI.create(device),
                offset);
    }

    /** As {@link #discover(NexodusClient)}, for a service URL and TLS options. */
    public static OidcClient discover(URI serviceUrl, TlsOptions tls) {
        return discover(NexodusClient.builder(serviceUrl).tls(tls).build());
    }

    public String issuer() {
        return issuer;
    }

    public String clientId() {
        return clientId;
    }

    /** The service clock minus ours, measured at discovery (for clock-skew tolerant expiry checks). */
    public Duration serverClockOffset() {
        return serverClockOffset;
    }

    /** Resource-owner password grant. Throws {@link OAuthException} (invalid_grant) for wrong credentials. */
    public TokenResponse passwordGrant(String username, String password) {
        return token(Map.of(
                "grant_type",
                "password",
                "username",
                username,
                "password",
                password,
                "scope",
                "openid profile email offline_access"));
    }

    public TokenResponse refresh(String refreshToken) {
        return token(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    /** Starts a device authorization: show the user {@code verification_uri_complete} (or the URI and user code). */
    public DeviceAuthorizationResponse startDeviceAuthorization() {
        if (deviceAuthorizationEndpoint == null) {
            throw new IllegalStateException("identity provider has no device authorization endpoint");
        }
        JsonNode n = post(
                deviceAuthorizationEndpoint,
                form(Map.of("client_id", clientId, "scope", "openid profile email offline_access")));
        try {
            return Json.mapper().treeToValue(n, DeviceAuthorizationResponse.class);
        } catch (IOException e) {
            throw new ApiTransportException("bad device authorization response: " + e.getMessage(), e);
        }
    }

    /**
     * Polls the token endpoint until the user approves (returns the tokens), denies ({@link OAuthException}
     * access_denied) or the code expires (expired_token), honouring {@code interval} and {@code slow_down}.
     */
    public TokenResponse awaitDeviceToken(DeviceAuthorizationResponse auth) throws InterruptedException {
        long intervalMs = Math.max(1, auth.interval()) * 1000L;
        long deadline = System.nanoTime()
                + Duration.ofSeconds(Math.max(1, auth.expiresIn())).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(intervalMs);
            try {
                return token(Map.of(
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:device_code",
                        "device_code",
                        auth.deviceCode()));
            } catch (OAuthException e) {
                switch (e.error()) {
                    case "authorization_pending" -> {}
                    case "slow_down" -> intervalMs += 5000;
                    default -> throw e;
                }
            }
        }
        throw new OAuthException(400, "expired_token", "the device code expired before it was approved");
    }

    private TokenResponse token(Map<String, String> params) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.putIfAbsent("client_id", clientId);
        JsonNode n = post(tokenEndpoint, form(p));
        try {
            return Json.mapper().treeToValue(n, TokenResponse.class);
        } catch (IOException e) {
            throw new ApiTransportException("bad token response: " + e.getMessage(), e);
        }
    }

    private JsonNode post(URI uri, String form) {
        HttpRequest req = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<byte[]> r = send(http, req);
        JsonNode n = parse(uri, r.body());
        if (r.statusCode() >= 400) {
            throw new OAuthException(
                    r.statusCode(),
                    n.path("error").asText("http_" + r.statusCode()),
                    n.path("error_description").asText(null));
        }
        return n;
    }

    private static JsonNode getJson(HttpClient http, URI uri) {
        HttpResponse<byte[]> r = send(
                http,
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build());
        if (r.statusCode() >= 400) {
            throw new ApiTransportException("GET " + uri + ": HTTP " + r.statusCode(), null);
        }
        return parse(uri, r.body());
    }

    private static HttpResponse<byte[]> send(HttpClient http, HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiTransportException(req.method() + " " + req.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiTransportException("interrupted", e);
        }
    }

    private static JsonNode parse(URI uri, byte[] body) {
        try {
            JsonNode n = Json.mapper().readTree(body);
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ApiTransportException(uri + ": response is not JSON: " + e.getMessage(), e);
        }
    }

    private static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
