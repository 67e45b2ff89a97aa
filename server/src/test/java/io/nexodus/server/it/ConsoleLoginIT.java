package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The console's files and headers, and the authorization code + PKCE login it uses, over plain HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleLoginIT {
    private static final String VERIFIER = "a-verifier-of-at-least-43-characters-0123456789";
    private TestServer ts;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @BeforeAll
    void start() {
        ts = TestServer.start(Db.H2);
    }

    @AfterAll
    void stop() {
        ts.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(ts.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String path, Map<String, String> form) throws Exception {
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

    private static String s256(String v) throws Exception {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.US_ASCII)));
    }

    private Map<String, String> authorizeParams() throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("client_id", "nexodus-console");
        p.put("redirect_uri", ts.url() + "/console/");
        p.put("response_type", "code");
        p.put("code_challenge", s256(VERIFIER));
        p.put("code_challenge_method", "S256");
        p.put("state", "st&ate");
        return p;
    }

    @Test
    void consoleFilesCarryAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> index = get("/console/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
        assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(csp).as("the built-in issuer is this origin").contains("connect-src 'self';");
        HttpResponse<String> config = get("/console/config.js");
        assertThat(config.body())
                .as("the console signs in at the built-in issuer")
                .contains("\"client_id\":\"nexodus-console\"", "\"authorization_endpoint\":\"/oauth/authorize\"")
                .contains("\"token_endpoint\":\"/oauth/token\"", "\"end_session_endpoint\":null");
        assertThat(config.headers().firstValue("Content-Security-Policy")).hasValue(csp);
        assertThat(get("/console/app.js").headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(get("/console/secret.properties").statusCode()).isEqualTo(404);
        assertThat(get("/console/..%2Fauth%2FLocalIdp.class").statusCode()).isEqualTo(404);
        assertThat(get("/console").headers().firstValue("Location")).hasValue("/console/");
    }

    @Test
    void discoveryAnnouncesTheAuthorizationEndpointAndPkce() throws Exception {
        JsonNode d =
                Json.mapper().readTree(get("/.well-known/openid-configuration").body());
        assertThat(d.get("authorization_endpoint").asText()).isEqualTo(ts.url() + "/oauth/authorize");
        assertThat(d.get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
    }

    @Test
    void codeWithPkceLogsInOnceAndOnlyWithTheRightVerifier() throws Exception {
        Map<String, String> p = authorizeParams();
        String query = p.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> page = get("/oauth/authorize?" + query);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("name=\"password\"");

        Map<String, String> wrong = new LinkedHashMap<>(p);
        wrong.put("username", "admin");
        wrong.put("password", "not-the-password");
        assertThat(postForm("/oauth/authorize", wrong).statusCode()).isEqualTo(401);

        Map<String, String> login = new LinkedHashMap<>(p);
        login.put("username", "admin");
        login.put("password", TestServer.ADMIN_PASSWORD);
        HttpResponse<String> redirect = postForm("/oauth/authorize", login);
        assertThat(redirect.statusCode()).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(ts.url() + "/console/?code=").endsWith("&state=st%26ate");
        String code = location.replaceAll(".*code=([^&]+).*", "$1");

        Map<String, String> token = new LinkedHashMap<>();
        token.put("grant_type", "authorization_code");
        token.put("code", code);
        token.put("client_id", "nexodus-console");
        token.put("redirect_uri", ts.url() + "/console/");
        token.put("code_verifier", VERIFIER.replace('a', 'b'));
        assertThat(postForm("/oauth/token", token).statusCode())
                .as("a wrong verifier burns the code")
                .isEqualTo(400);

        HttpResponse<String> again = postForm("/oauth/authorize", login);
        code = again.headers().firstValue("Location").orElseThrow().replaceAll(".*code=([^&]+).*", "$1");
        token.put("code", code);
        token.put("code_verifier", VERIFIER);
        HttpResponse<String> ok = postForm("/oauth/token", token);
        assertThat(ok.statusCode()).isEqualTo(200);
        String access = Json.mapper().readTree(ok.body()).get("access_token").asText();
        assertThat(ts.withToken(access).users().me().username()).isEqualTo("admin");
        assertThat(postForm("/oauth/token", token).statusCode())
                .as("a code works once")
                .isEqualTo(400);
    }

    @Test
    void foreignRedirectUrisAreRefusedWithoutRedirecting() throws Exception {
        Map<String, String> p = authorizeParams();
        p.put("redirect_uri", "https://evil.example/console/");
        p.put("username", "admin");
        p.put("password", TestServer.ADMIN_PASSWORD);
        HttpResponse<String> r = postForm("/oauth/authorize", p);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Location")).isEmpty();
        assertThat(get("/oauth/authorize?client_id=nexodus-console&redirect_uri=x")
                        .statusCode())
                .isEqualTo(400);
    }
}
