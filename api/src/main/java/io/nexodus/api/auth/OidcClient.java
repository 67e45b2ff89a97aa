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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Logs in to the service's identity provider (the built-in one or an external OIDC issuer, whichever
 * {@code POST /device/login/start} names): resource-owner password grant, refresh, and the device authorization
 * grant (RFC 8628) for interactive agents.
 *
 * <p>Every login asks for {@value #SCOPES}. A login that is kept on disk and renewed for weeks ({@code nexctl login},
 * nexd's device login) asks for {@value #OFFLINE_ACCESS} too ({@link Access#OFFLINE_IF_GRANTED}), and asks again
 * without it when the provider refuses it: Keycloak answers {@code invalid_scope} when the client does not offer the
 * scope and {@code not_allowed} when the user lacks the offline role; the login then lasts as long as the provider's
 * session. A login held only in memory, or one that can log in again with its password, never asks for it
 * ({@link Access#SESSION}), so it leaves no offline session behind in the provider.
 * <pre>{@code
 * OidcClient idp = OidcClient.discover(api);
 * TokenResponse t = idp.passwordGrant("admin", password, OidcClient.Access.OFFLINE_IF_GRANTED);
 * NexodusClient authed = api.withToken(new OidcTokenSource(idp, t, Clock.systemUTC(), tr -> {}));
 * }</pre>
 */
public final class OidcClient {
    /** The scopes every login asks for: the user's identity, name and e-mail address in the token. */
    public static final String SCOPES = "openid profile email";

    /** The scope that asks for a refresh token that outlives the provider's session (OIDC Core 1.0 section 11). */
    public static final String OFFLINE_ACCESS = "offline_access";

    /** How long a login should be renewable. */
    public enum Access {
        /** As long as the provider's session: the ordinary refresh token. */
        SESSION,
        /** Offline access where the provider grants it; where it refuses, as {@link #SESSION}. */
        OFFLINE_IF_GRANTED
    }

    /** How {@link #deviceLogin} shows a device authorization to the user. */
    @FunctionalInterface
    public interface DevicePrompt {
        /**
         * Shows {@code auth}'s URL and code. {@code again} is null the first time, and says why when the user must
         * approve a second code (the provider refused offline access only once the first was approved).
         */
        void show(DeviceAuthorizationResponse auth, String again);
    }

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

    /**
     * Resource-owner password grant for a login that lasts as long as the provider's session ({@link Access#SESSION}).
     * Throws {@link OAuthException} (invalid_grant) for wrong credentials.
     */
    public TokenResponse passwordGrant(String username, String password) {
        return passwordGrant(username, password, Access.SESSION);
    }

    /**
     * Resource-owner password grant. With {@link Access#OFFLINE_IF_GRANTED} a refusal of offline access is answered by
     * a second grant without it; {@link #offlineAccess} tells which one the tokens are.
     */
    public TokenResponse passwordGrant(String username, String password, Access access) {
        Map<String, String> p = Map.of("grant_type", "password", "username", username, "password", password);
        if (access == Access.OFFLINE_IF_GRANTED) {
            try {
                return token(p, SCOPES + " " + OFFLINE_ACCESS);
            } catch (OAuthException e) {
                if (!refusesOfflineAccess(e)) {
                    throw e;
                }
            }
        }
        return token(p, SCOPES);
    }

    public TokenResponse refresh(String refreshToken) {
        return token(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken), null);
    }

    /**
     * Starts a device authorization for a login that lasts as long as the provider's session: show the user
     * {@code verification_uri_complete} (or the URI and user code), then {@link #awaitDeviceToken}.
     */
    public DeviceAuthorizationResponse startDeviceAuthorization() {
        return startDeviceAuthorization(SCOPES);
    }

    private DeviceAuthorizationResponse startDeviceAuthorization(String scope) {
        if (deviceAuthorizationEndpoint == null) {
            throw new IllegalStateException("identity provider has no device authorization endpoint");
        }
        JsonNode n = post(deviceAuthorizationEndpoint, form(Map.of("client_id", clientId, "scope", scope)));
        try {
            return Json.mapper().treeToValue(n, DeviceAuthorizationResponse.class);
        } catch (IOException e) {
            throw new ApiTransportException("bad device authorization response: " + e.getMessage(), e);
        }
    }

    /**
     * The whole device login: starts a device authorization, has {@code prompt} show it and waits for the approval.
     * With {@link Access#OFFLINE_IF_GRANTED}, a provider that refuses offline access when the authorization starts is
     * asked again without it; one that refuses it only after the user approved (Keycloak checks the user's offline role
     * then) gets a second authorization without it, which {@code prompt} shows with the reason.
     */
    public TokenResponse deviceLogin(Access access, DevicePrompt prompt) throws InterruptedException {
        boolean offline = access == Access.OFFLINE_IF_GRANTED;
        DeviceAuthorizationResponse auth = null;
        if (offline) {
            try {
                auth = startDeviceAuthorization(SCOPES + " " + OFFLINE_ACCESS);
            } catch (OAuthException e) {
                if (!refusesOfflineAccess(e)) {
                    throw e;
                }
                offline = false;
            }
        }
        if (auth == null) {
            auth = startDeviceAuthorization(SCOPES);
        }
        prompt.show(auth, null);
        try {
            return withScope(awaitDeviceToken(auth), offline ? SCOPES + " " + OFFLINE_ACCESS : SCOPES);
        } catch (OAuthException e) {
            if (!offline || !refusesOfflineAccess(e)) {
                throw e;
            }
            DeviceAuthorizationResponse again = startDeviceAuthorization(SCOPES);
            prompt.show(
                    again,
                    "the identity provider refused offline access (" + e.getMessage()
                            + "); approve this code for a login that lasts as long as its session");
            return withScope(awaitDeviceToken(again), SCOPES);
        }
    }

    /**
     * Whether the provider refused only the offline access of a token request: {@code invalid_scope} (the client does
     * not offer the scope; we ask for nothing else beyond the OpenID basics), Keycloak's {@code not_allowed} ("Offline
     * tokens not allowed for the user or client"), or any refusal whose description names offline access.
     */
    static boolean refusesOfflineAccess(OAuthException e) {
        return switch (e.error()) {
            case "invalid_scope", "not_allowed" -> true;
            case "invalid_grant", "access_denied", "expired_token", "temporarily_unavailable" -> false;
            default -> e.description().toLowerCase(Locale.ROOT).contains("offline");
        };
    }

    /** Whether these tokens carry offline access (the granted {@code scope} names it). */
    public static boolean offlineAccess(TokenResponse t) {
        return t.scope() != null
                && Arrays.asList(t.scope().trim().split("\\s+")).contains(OFFLINE_ACCESS);
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
                return token(
                        Map.of(
                                "grant_type",
                                "urn:ietf:params:oauth:grant-type:device_code",
                                "device_code",
                                auth.deviceCode()),
                        null);
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

    /**
     * A token request; {@code scope} (null: none, as for a refresh) is sent, and stands in for the response's
     * {@code scope} when the provider leaves it out (RFC 6749 section 5.1: then the requested scope was granted).
     */
    private TokenResponse token(Map<String, String> params, String scope) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.putIfAbsent("client_id", clientId);
        if (scope != null) {
            p.put("scope", scope);
        }
        JsonNode n = post(tokenEndpoint, form(p));
        try {
            return withScope(Json.mapper().treeToValue(n, TokenResponse.class), scope);
        } catch (IOException e) {
            throw new ApiTransportException("bad token response: " + e.getMessage(), e);
        }
    }

    private static TokenResponse withScope(TokenResponse t, String requested) {
        if (t.scope() != null || requested == null) {
            return t;
        }
        return new TokenResponse(
                t.accessToken(),
                t.tokenType(),
                t.expiresIn(),
                t.refreshToken(),
                t.refreshExpiresIn(),
                t.idToken(),
                requested);
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
