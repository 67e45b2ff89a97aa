package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.auth.OAuthException;
import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.DeviceAuthorizationResponse;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.api.model.User;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The built-in OIDC issuer (password, refresh, device-code grants; discovery; JWKS) and an external issuer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityIT {
    private TestServer ts;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        ts = TestServer.start(Db.H2);
    }

    @AfterAll
    void stop() {
        if (ts != null) {
            ts.close();
        }
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(
                HttpRequest.newBuilder(URI.create(ts.url() + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String url) throws Exception {
        return Json.mapper()
                .readTree(
                        http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                                .body());
    }

    @Test
    void discoveryJwksAndDeviceLoginStart() throws Exception {
        JsonNode d = getJson(ts.url() + "/.well-known/openid-configuration");
        assertThat(d.path("issuer").asText()).isEqualTo(ts.url());
        assertThat(d.path("token_endpoint").asText()).isEqualTo(ts.url() + "/oauth/token");
        assertThat(d.path("grant_types_supported").toString()).contains("password", "refresh_token", "device_code");
        JsonNode jwks = getJson(d.path("jwks_uri").asText());
        assertThat(jwks.path("keys").get(0).path("kty").asText()).isEqualTo("RSA");
        assertThat(jwks.path("keys").get(0).has("d")).as("no private part").isFalse();
        assertThat(getJson(ts.url() + "/device/certs")).isEqualTo(jwks);
        DeviceStartResponse s = ts.anonymous().service().deviceLoginStart();
        assertThat(s.issuer()).isEqualTo(ts.url());
        assertThat(s.clientId()).isEqualTo("nexodus-cli");
        assertThat(s.deviceAuthorizationEndpoint()).isEqualTo(ts.url() + "/oauth/device/code");
        assertThat(s.serverTime()).isCloseTo(Instant.now(), Assertions.within(60, ChronoUnit.SECONDS));
    }

    @Test
    void passwordAndRefreshGrantsWithRotation() throws Exception {
        OidcClient idp = OidcClient.discover(ts.anonymous());
        assertThatThrownBy(() -> idp.passwordGrant("admin", "wrong"))
                .isInstanceOfSatisfying(
                        OAuthException.class, e -> assertThat(e.error()).isEqualTo("invalid_grant"));
        assertThatThrownBy(() -> idp.passwordGrant("nobody", "wrong")).isInstanceOf(OAuthException.class);
        TokenResponse t = idp.passwordGrant("admin", TestServer.ADMIN_PASSWORD);
        assertThat(t.tokenType()).isEqualTo("Bearer");
        assertThat(t.expiresIn()).isPositive();
        assertThat(SignedJWT.parse(t.idToken()).getJWTClaimsSet().getAudience()).containsExactly("nexodus-cli");
        User me = ts.withToken(t.accessToken()).users().me();
        assertThat(me.username()).isEqualTo("admin");
        // an ID token is not an access token
        assertThat(assertApi(() -> ts.withToken(t.idToken()).users().me()).status())
                .isEqualTo(401);
        TokenResponse t2 = idp.refresh(t.refreshToken());
        assertThat(ts.withToken(t2.accessToken()).users().me()).isEqualTo(me);
        assertThatThrownBy(() -> idp.refresh(t.refreshToken()))
                .as("refresh tokens are single use")
                .isInstanceOfSatisfying(
                        OAuthException.class, e -> assertThat(e.error()).isEqualTo("invalid_grant"));
        assertThat(post("/oauth/token", Map.of("grant_type", "client_credentials"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("/oauth/token", Map.of("grant_type", "client_credentials"))
                        .body())
                .contains("unsupported_grant_type");
        JsonNode info = Json.mapper()
                .readTree(http.send(
                                HttpRequest.newBuilder(URI.create(ts.url() + "/oauth/userinfo"))
                                        .header("Authorization", "Bearer " + t2.accessToken())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(info.path("preferred_username").asText()).isEqualTo("admin");
    }

    @Test
    void deviceAuthorizationGrantApprovedOnTheHtmlPage() throws Exception {
        NexodusClient admin = ts.admin();
        admin.accounts().create(new AddAccount("devflow", "devflow-password", "Dev Flow", null));
        OidcClient idp = OidcClient.discover(ts.anonymous());
        DeviceAuthorizationResponse auth = idp.startDeviceAuthorization();
        assertThat(auth.userCode()).matches("[A-Z]{4}-[A-Z]{4}");
        assertThat(auth.verificationUriComplete()).isEqualTo(ts.url() + "/device?user_code=" + auth.userCode());
        HttpResponse<String> pending = post(
                "/oauth/token",
                Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", auth.deviceCode()));
        assertThat(pending.body()).contains("authorization_pending");
        HttpResponse<String> tooFast = post(
                "/oauth/token",
                Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", auth.deviceCode()));
        assertThat(tooFast.body()).contains("slow_down");
        String page = http.send(
                        HttpRequest.newBuilder(URI.create(auth.verificationUriComplete()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(page).contains("<form").contains("value=\"" + auth.userCode() + "\"");
        assertThat(post(
                                "/device",
                                Map.of(
                                        "user_code",
                                        auth.userCode(),
                                        "username",
                                        "devflow",
                                        "password",
                                        "nope",
                                        "action",
                                        "approve"))
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> ok = post(
                "/device",
                Map.of(
                        "user_code",
                        auth.userCode().toLowerCase(Locale.ROOT),
                        "username",
                        "devflow",
                        "password",
                        "devflow-password",
                        "action",
                        "approve"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("Device approved");
        TokenResponse t = idp.awaitDeviceToken(new DeviceAuthorizationResponse(
                auth.deviceCode(),
                auth.userCode(),
                auth.verificationUri(),
                auth.verificationUriComplete(),
                auth.expiresIn(),
                1));
        assertThat(ts.withToken(t.accessToken()).users().me().username()).isEqualTo("devflow");
        // used once
        assertThat(post(
                                "/oauth/token",
                                Map.of(
                                        "grant_type",
                                        "urn:ietf:params:oauth:grant-type:device_code",
                                        "device_code",
                                        auth.deviceCode()))
                        .body())
                .contains("invalid_grant");

        DeviceAuthorizationResponse denied = idp.startDeviceAuthorization();
        post(
                "/device",
                Map.of(
                        "user_code",
                        denied.userCode(),
                        "username",
                        "devflow",
                        "password",
                        "devflow-password",
                        "action",
                        "deny"));
        assertThatThrownBy(() -> idp.awaitDeviceToken(
                        new DeviceAuthorizationResponse(denied.deviceCode(), denied.userCode(), "", "", 30, 1)))
                .isInstanceOfSatisfying(
                        OAuthException.class, e -> assertThat(e.error()).isEqualTo("access_denied"));
    }

    /** Guessing passwords: after five failures the account is refused for a minute, before the password is checked. */
    @Test
    void failedLoginsAreThrottledPerAccount() throws Exception {
        String name = "guess-" + UUID.randomUUID().toString().substring(0, 8);
        ts.admin().accounts().create(new AddAccount(name, "right-password", null, null));
        OidcClient idp = OidcClient.discover(ts.anonymous());
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> idp.passwordGrant(name, "wrong"))
                    .isInstanceOfSatisfying(
                            OAuthException.class, e -> assertThat(e.error()).isEqualTo("invalid_grant"));
        }
        HttpResponse<String> refused =
                post("/oauth/token", Map.of("grant_type", "password", "username", name, "password", "right-password"));
        assertThat(refused.statusCode()).as("even the right password, now").isEqualTo(429);
        assertThat(Json.mapper().readTree(refused.body()).path("error").asText())
                .isEqualTo("temporarily_unavailable");
        assertThat(refused.body()).contains("try again in");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 60L);
        HttpResponse<String> page = post("/device", Map.of("user_code", "ABCD", "username", name, "password", "x"));
        assertThat(page.statusCode()).isEqualTo(429);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.headers().firstValue("Retry-After")).isPresent();
        assertThatThrownBy(() -> idp.passwordGrant(name, "right-password"))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.description()).startsWith("too many failed logins");
                });
        // another account from the same address is not affected
        assertThat(idp.passwordGrant("admin", TestServer.ADMIN_PASSWORD).accessToken())
                .isNotBlank();
    }

    @Test
    void accountsAreAdminOnly() {
        NexodusClient user = ts.newUser("plain");
        assertThat(assertApi(() -> user.accounts()
                                .create(new AddAccount("x" + UUID.randomUUID(), "password123", null, null)))
                        .status())
                .isEqualTo(403);
        assertThat(assertApi(() -> ts.admin().accounts().create(new AddAccount("admin", "password123", null, null)))
                        .status())
                .isEqualTo(409);
        assertThat(assertApi(() -> ts.admin().accounts().create(new AddAccount("short", "pw", null, null)))
                        .field())
                .contains("password");
        assertThat(assertApi(() -> ts.withToken("garbage").users().me()).status())
                .isEqualTo(401);
        assertThat(assertApi(() -> ts.withToken("RK:garbage").users().me())
                        .body()
                        .error())
                .isEqualTo("invalid reg key");
    }

    private static ApiException assertApi(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    /** A second, minimal OIDC issuer in this JVM: discovery + JWKS; tokens are signed by the test. */
    @Test
    void externalIssuerTokensProvisionUsers() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("ext-1").generate();
        HttpServer issuer = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        String iss = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/realms/test";
        issuer.createContext("/realms/test/.well-known/openid-configuration", ex -> {
            byte[] b = Json.mapper()
                    .writeValueAsBytes(Map.of(
                            "issuer",
                            iss,
                            "jwks_uri",
                            iss + "/certs",
                            "token_endpoint",
                            iss + "/token",
                            "device_authorization_endpoint",
                            iss + "/device"));
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        issuer.createContext("/realms/test/certs", ex -> {
            byte[] b = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        issuer.start();
        try (TestServer ext = TestServer.start(Db.H2, c -> c.withOidc(iss, "account"))) {
            String good = token(key, iss, "sub-123", "account", Instant.now().plusSeconds(300), "kc-user");
            NexodusClient c = ext.withToken(good);
            User u = c.users().me();
            assertThat(u.username()).isEqualTo("kc-user");
            assertThat(u.fullName()).isEqualTo("Kay Cee");
            assertThat(c.vpcs().get(u.id()).organizationId())
                    .as("default org + VPC with the user's id")
                    .isEqualTo(u.id());
            assertThat(ext.withToken(token(
                                    key,
                                    iss,
                                    "sub-123",
                                    "account",
                                    Instant.now().plusSeconds(300),
                                    "renamed"))
                            .users()
                            .me()
                            .id())
                    .as("same subject, same user")
                    .isEqualTo(u.id());
            RSAKey other = new RSAKeyGenerator(2048).keyID("ext-1").generate();
            for (String bad : List.of(
                    token(other, iss, "sub-123", "account", Instant.now().plusSeconds(300), "x"),
                    token(
                            key,
                            "http://evil.example",
                            "sub-123",
                            "account",
                            Instant.now().plusSeconds(300),
                            "x"),
                    token(key, iss, "sub-123", "other-audience", Instant.now().plusSeconds(300), "x"),
                    token(key, iss, "sub-123", "account", Instant.now().minusSeconds(300), "x"))) {
                assertThat(assertApi(() -> ext.withToken(bad).users().me()).status())
                        .isEqualTo(401);
            }
            DeviceStartResponse s = ext.anonymous().service().deviceLoginStart();
            assertThat(s.issuer()).isEqualTo(iss);
            assertThat(s.deviceAuthorizationEndpoint()).isEqualTo(iss + "/device");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(ext.url() + "/oauth/token"))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as("no built-in issuer")
                    .isEqualTo(404);
        } finally {
            issuer.stop(0);
        }
    }

    /** Without --oidc-audience only tokens issued to the configured client are API tokens; ID tokens never are. */
    @Test
    void withoutAudienceOnlyTokensOfTheConfiguredClientAreAccepted() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("ext-2").generate();
        HttpServer issuer = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        String iss = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/realms/test";
        String[] advertised = {iss};
        issuer.createContext("/realms/test/.well-known/openid-configuration", ex -> {
            byte[] b = Json.mapper().writeValueAsBytes(Map.of("issuer", advertised[0], "jwks_uri", iss + "/certs"));
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        issuer.createContext("/realms/test/certs", ex -> {
            byte[] b = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        issuer.start();
        try {
            try (TestServer ext = TestServer.start(Db.H2, c -> c.withOidc(iss, null))) {
                Instant exp = Instant.now().plusSeconds(300);
                assertThat(ext.withToken(clientToken(key, iss, "account", "nexodus-cli", null, exp))
                                .users()
                                .me()
                                .username())
                        .as("Keycloak's access token: aud account, azp the CLI client")
                        .isEqualTo("kc-user");
                assertThat(ext.withToken(clientToken(key, iss, "nexodus-cli", null, null, exp))
                                .users()
                                .me()
                                .username())
                        .isEqualTo("kc-user");
                for (String bad : List.of(
                        clientToken(key, iss, "account", "other-client", null, exp),
                        clientToken(key, iss, "nexodus-cli", "nexodus-cli", "ID", exp))) {
                    assertThat(assertApi(() -> ext.withToken(bad).users().me()).status())
                            .isEqualTo(401);
                }
            }
            advertised[0] = "http://127.0.0.1:1/realms/impostor";
            assertThatThrownBy(() -> TestServer.start(Db.H2, c -> c.withOidc(iss, null)))
                    .as("a discovery document naming another issuer is refused at start")
                    .hasMessageContaining("names the issuer 'http://127.0.0.1:1/realms/impostor'");
        } finally {
            issuer.stop(0);
        }
    }

    private static String clientToken(RSAKey key, String iss, String aud, String azp, String typ, Instant exp)
            throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(iss)
                .subject("sub-client")
                .audience(aud)
                .expirationTime(Date.from(exp))
                .claim("preferred_username", "kc-user");
        if (azp != null) {
            b.claim("azp", azp);
        }
        if (typ != null) {
            b.claim("typ", typ);
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), b.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String token(RSAKey key, String iss, String sub, String aud, Instant exp, String username)
            throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder()
                        .issuer(iss)
                        .subject(sub)
                        .audience(aud)
                        .expirationTime(Date.from(exp))
                        .issueTime(Date.from(Instant.now()))
                        .claim("preferred_username", username)
                        .claim("name", "Kay Cee")
                        .claim("email", "kc@example.com")
                        .claim("email_verified", true)
                        .build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
