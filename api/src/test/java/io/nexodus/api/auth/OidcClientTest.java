package io.nexodus.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.TokenResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The login client against an identity provider that answers as Keycloak does when offline access is not granted:
 * {@code invalid_scope} when the client does not offer the scope, {@code not_allowed} when the user lacks the offline
 * role (checked when tokens are issued, so after a device approval).
 */
class OidcClientTest {
    /** How the fake provider treats a request for {@code offline_access}. */
    enum Offline {
        GRANTED,
        CLIENT_LACKS_SCOPE,
        USER_LACKS_ROLE
    }

    private HttpServer server;
    private String base;
    private volatile Offline offline = Offline.GRANTED;
    private volatile boolean answerScope = true;
    /** The scope of every token and device-authorization request, in order ("-" when none was sent). */
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private final List<String> grants = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private final Map<String, String> deviceScopes = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OidcClient client() {
        return OidcClient.discover(NexodusClient.builder(URI.create(base)).build());
    }

    @Test
    void offlineAccessIsAskedForAndKeptWhereGranted() {
        TokenResponse t = client().passwordGrant("alice", "pw", OidcClient.Access.OFFLINE_IF_GRANTED);
        assertThat(scopes).containsExactly("openid profile email offline_access");
        assertThat(OidcClient.offlineAccess(t)).isTrue();
    }

    @Test
    void aClientWithoutTheOfflineScopeGetsASessionLogin() {
        offline = Offline.CLIENT_LACKS_SCOPE;
        TokenResponse t = client().passwordGrant("alice", "pw", OidcClient.Access.OFFLINE_IF_GRANTED);
        assertThat(scopes).containsExactly("openid profile email offline_access", "openid profile email");
        assertThat(t.refreshToken()).isNotNull();
        assertThat(OidcClient.offlineAccess(t)).isFalse();
    }

    @Test
    void aUserWithoutTheOfflineRoleGetsASessionLogin() {
        offline = Offline.USER_LACKS_ROLE;
        answerScope = false; // the requested scope then stands for the granted one
        TokenResponse t = client().passwordGrant("alice", "pw", OidcClient.Access.OFFLINE_IF_GRANTED);
        assertThat(scopes).containsExactly("openid profile email offline_access", "openid profile email");
        assertThat(OidcClient.offlineAccess(t)).isFalse();
    }

    @Test
    void aSessionLoginNeverAsksForOfflineAccess() {
        TokenResponse t = client().passwordGrant("alice", "pw");
        assertThat(scopes).containsExactly("openid profile email");
        assertThat(OidcClient.offlineAccess(t)).isFalse();
    }

    @Test
    void wrongCredentialsAreNotRetried() {
        assertThatThrownBy(() -> client().passwordGrant("alice", "wrong", OidcClient.Access.OFFLINE_IF_GRANTED))
                .isInstanceOf(OAuthException.class)
                .hasMessageContaining("invalid_grant");
        assertThat(scopes).hasSize(1);
    }

    @Test
    void deviceLoginFallsBackWhenTheClientLacksTheScope() throws Exception {
        offline = Offline.CLIENT_LACKS_SCOPE;
        List<String> shown = new ArrayList<>();
        TokenResponse t = client().deviceLogin(
                        OidcClient.Access.OFFLINE_IF_GRANTED,
                        (auth, again) -> shown.add(auth.userCode() + " " + again));
        assertThat(scopes).startsWith("openid profile email offline_access", "openid profile email");
        assertThat(shown).as("one code to approve").hasSize(1).allMatch(s -> s.endsWith(" null"));
        assertThat(OidcClient.offlineAccess(t)).isFalse();
    }

    @Test
    void deviceLoginAsksForASecondApprovalWhenTheUserLacksTheOfflineRole() throws Exception {
        offline = Offline.USER_LACKS_ROLE;
        List<String> again = new ArrayList<>();
        TokenResponse t = client().deviceLogin(OidcClient.Access.OFFLINE_IF_GRANTED, (auth, why) -> again.add(why));
        assertThat(again).hasSize(2);
        assertThat(again.get(0)).isNull();
        assertThat(again.get(1)).contains("refused offline access").contains("not_allowed");
        assertThat(OidcClient.offlineAccess(t)).isFalse();
        assertThat(t.accessToken()).isNotNull();
    }

    @Test
    void deviceLoginKeepsOfflineAccessWhereGranted() throws Exception {
        TokenResponse t = client().deviceLogin(OidcClient.Access.OFFLINE_IF_GRANTED, (auth, why) -> {});
        assertThat(OidcClient.offlineAccess(t)).isTrue();
    }

    @Test
    void refusalsThatAreAboutOfflineAccess() {
        assertThat(OidcClient.refusesOfflineAccess(new OAuthException(400, "invalid_scope", "Invalid scopes: x")))
                .isTrue();
        assertThat(OidcClient.refusesOfflineAccess(
                        new OAuthException(400, "not_allowed", "Offline tokens not allowed for the user or client")))
                .isTrue();
        assertThat(OidcClient.refusesOfflineAccess(
                        new OAuthException(400, "unauthorized_client", "offline access is disabled")))
                .isTrue();
        assertThat(OidcClient.refusesOfflineAccess(new OAuthException(400, "invalid_grant", "Offline session ended")))
                .isFalse();
        assertThat(OidcClient.refusesOfflineAccess(new OAuthException(401, "unauthorized_client", "bad secret")))
                .isFalse();
    }

    @Test
    void aRefusedRefreshLogsInAgainWhenTheLoginCanBeRepeated() {
        OidcClient idp = client();
        TokenResponse login = idp.passwordGrant("alice", "pw");
        // expires now: the next use refreshes
        TokenResponse first =
                new TokenResponse(login.accessToken(), "Bearer", 0, login.refreshToken(), null, null, login.scope());
        Clock later = Clock.systemUTC();
        List<TokenResponse> saved = new ArrayList<>();
        OidcTokenSource withPassword =
                new OidcTokenSource(idp, first, later, saved::add, () -> idp.passwordGrant("alice", "pw"));
        grants.clear();
        String token = withPassword.get(); // the refresh token is refused: the session ended
        assertThat(grants).containsExactly("refresh_token", "password");
        assertThat(token).isEqualTo(saved.getLast().accessToken());

        OidcTokenSource withoutPassword = new OidcTokenSource(idp, first, later, t -> {});
        assertThatThrownBy(withoutPassword::get).isInstanceOf(OAuthException.class);
    }

    // ---- the fake provider ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            switch (path) {
                case "/device/login/start" ->
                    send(
                            ex,
                            200,
                            "{\"device_authorization_endpoint\":\"" + base + "/device\",\"issuer\":\"" + base
                                    + "\",\"client_id\":\"nexodus-cli\"}");
                case "/.well-known/openid-configuration" ->
                    send(
                            ex,
                            200,
                            "{\"issuer\":\"" + base + "\",\"token_endpoint\":\"" + base
                                    + "/token\",\"device_authorization_endpoint\":\"" + base + "/device\"}");
                case "/device" -> deviceAuthorization(ex, form);
                case "/token" -> token(ex, form);
                default -> send(ex, 404, "{}");
            }
        }
    }

    private void deviceAuthorization(HttpExchange ex, Map<String, String> form) throws IOException {
        String scope = form.getOrDefault("scope", "-");
        scopes.add(scope);
        if (offline == Offline.CLIENT_LACKS_SCOPE && scope.contains("offline_access")) {
            send(ex, 400, "{\"error\":\"invalid_scope\",\"error_description\":\"Invalid scopes: " + scope + "\"}");
            return;
        }
        String code = "dc-" + issued.incrementAndGet();
        synchronized (deviceScopes) {
            deviceScopes.put(code, scope);
        }
        send(
                ex,
                200,
                "{\"device_code\":\"" + code + "\",\"user_code\":\"UC-" + code + "\",\"verification_uri\":\"" + base
                        + "/verify\",\"expires_in\":30,\"interval\":0}");
    }

    private void token(HttpExchange ex, Map<String, String> form) throws IOException {
        String grant = form.getOrDefault("grant_type", "");
        grants.add(grant);
        String scope;
        switch (grant) {
            case "password" -> {
                scope = form.getOrDefault("scope", "-");
                scopes.add(scope);
                if (offline == Offline.CLIENT_LACKS_SCOPE && scope.contains("offline_access")) {
                    send(ex, 400, "{\"error\":\"invalid_scope\",\"error_description\":\"Invalid scopes: x\"}");
                    return;
                }
                if (!"pw".equals(form.get("password"))) {
                    send(ex, 401, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid user credentials\"}");
                    return;
                }
            }
            case "urn:ietf:params:oauth:grant-type:device_code" -> {
                synchronized (deviceScopes) {
                    scope = deviceScopes.getOrDefault(form.get("device_code"), "-");
                }
            }
            case "refresh_token" -> {
                send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}");
                return;
            }
            default -> {
                send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
        }
        if (offline == Offline.USER_LACKS_ROLE && scope.contains("offline_access")) {
            send(
                    ex,
                    400,
                    "{\"error\":\"not_allowed\",\"error_description\":\"Offline tokens not allowed for the user or client\"}");
            return;
        }
        int n = issued.incrementAndGet();
        send(
                ex,
                200,
                "{\"access_token\":\"at-" + n
                        + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"refresh_token\":\"rt-" + n + "\""
                        + (answerScope ? ",\"scope\":\"" + scope + "\"" : "") + "}");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> m = new HashMap<>();
        for (String kv : body.split("&", -1)) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }
}
