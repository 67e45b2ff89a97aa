package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.auth.OidcTokenSource;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.server.ServerConfig;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.HeadlessChromium;
import io.nexodus.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The service against a real Keycloak ({@code keycloak-quarkus-dist}, dev mode, the realm of
 * {@code keycloak/nexodus-realm.json}): the issuer as discovered, Keycloak's access tokens of the configured client
 * accepted ({@code azp}), tokens of another client of the realm and ID tokens refused, and logins where offline access
 * is not granted ({@code not_allowed} for a user without the role, {@code invalid_scope} for a client without the
 * scope) falling back to session logins, and the web console signing in there in Debian's headless Chromium (client
 * {@code nexodus-web}, code + PKCE). One Keycloak for the class: its first start takes about a minute here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakIT {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private Path home;
    private Process keycloak;
    private Path log;
    private String issuer;
    /**
     * The port of the service whose console signs in at Keycloak, chosen before Keycloak starts: the realm's
     * {@code nexodus-web} client names its exact redirect URI and web origin (placeholders Keycloak fills from the
     * environment when it imports the realm).
     */
    private int consolePort;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startKeycloak() throws Exception {
        Path zip = Path.of(Objects.requireNonNull(
                System.getProperty("keycloak.dist"), "keycloak.dist (set by the server module's failsafe config)"));
        assertThat(zip).as("the Keycloak distribution (a test dependency)").exists();
        home = Files.createTempDirectory("nexodus-keycloak-");
        Path dist = unzip(zip, home);
        Files.createDirectories(dist.resolve("data/import"));
        try (InputStream realm = getClass().getResourceAsStream("/keycloak/nexodus-realm.json")) {
            Files.copy(Objects.requireNonNull(realm), dist.resolve("data/import/nexodus-realm.json"));
        }
        int port = freePort();
        int management = freePort();
        consolePort = freePort();
        log = home.resolve("keycloak.log");
        ProcessBuilder pb = new ProcessBuilder(
                        dist.resolve("bin/kc.sh").toString(),
                        "start-dev",
                        "--import-realm",
                        "--http-host=127.0.0.1",
                        "--http-port=" + port,
                        "--http-management-port=" + management,
                        "--cache=local")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS_APPEND", "-Xms64m -Xmx512m");
        pb.environment().put("NEXODUS_CONSOLE_ORIGIN", "http://127.0.0.1:" + consolePort);
        pb.environment().put("NEXODUS_CONSOLE_URL", "http://127.0.0.1:" + consolePort + "/console/");
        keycloak = pb.start();
        issuer = "http://127.0.0.1:" + port + "/realms/nexodus";
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!keycloak.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Keycloak did not start; its log:\n" + tail(log));
            }
            Thread.sleep(500);
        }
    }

    @AfterAll
    void stopKeycloak() throws Exception {
        if (keycloak != null) {
            keycloak.descendants().forEach(ProcessHandle::destroy);
            keycloak.destroy();
            if (!keycloak.waitFor(20, TimeUnit.SECONDS)) {
                keycloak.descendants().forEach(ProcessHandle::destroyForcibly);
                keycloak.destroyForcibly();
            }
        }
        if (home != null) {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void keycloakTokensOfTheCliClientAreAcceptedAndOthersRefused() throws Exception {
        // a trailing slash typed after the issuer is forgiven; the discovered issuer is the same
        try (TestServer svc = TestServer.start(Db.H2, c -> withClient(c.withOidc(issuer + "/", null), null, 0))) {
            OidcClient idp = OidcClient.discover(svc.anonymous());
            assertThat(idp.clientId()).isEqualTo("nexodus-cli");

            TokenResponse alice = idp.passwordGrant("alice", "alice-password", OidcClient.Access.OFFLINE_IF_GRANTED);
            assertThat(OidcClient.offlineAccess(alice))
                    .as("alice has the offline role")
                    .isTrue();
            assertThat(svc.withToken(alice.accessToken()).users().me().username())
                    .as("Keycloak's access token: aud account, azp nexodus-cli")
                    .isEqualTo("alice");

            TokenResponse bob = idp.passwordGrant("bob", "bob-password", OidcClient.Access.OFFLINE_IF_GRANTED);
            assertThat(OidcClient.offlineAccess(bob))
                    .as("bob lacks the offline role: not_allowed, then a session login")
                    .isFalse();
            assertThat(bob.refreshToken()).isNotNull();
            TokenResponse expiring =
                    new TokenResponse(bob.accessToken(), "Bearer", 0, bob.refreshToken(), null, null, bob.scope());
            assertThat(svc.anonymous()
                            .withToken(new OidcTokenSource(idp, expiring, Clock.systemUTC(), t -> {}))
                            .users()
                            .me()
                            .username())
                    .as("the session's refresh token works")
                    .isEqualTo("bob");

            assertThat(status(() -> svc.withToken(alice.idToken()).users().me()))
                    .as("an ID token is not an API token")
                    .isEqualTo(401);
            String other = directGrant("other-app", "alice", "alice-password").accessToken();
            assertThat(status(() -> svc.withToken(other).users().me()))
                    .as("a token another client of the realm obtained")
                    .isEqualTo(401);
        }
    }

    @Test
    void aClientWithoutTheOfflineScopeGetsSessionLogins() {
        try (TestServer svc =
                TestServer.start(Db.H2, c -> withClient(c.withOidc(issuer, null), "nexodus-cli-no-offline", 0))) {
            OidcClient idp = OidcClient.discover(svc.anonymous());
            assertThatThrownBy(() -> directGrantWithScope(
                            "nexodus-cli-no-offline", "alice", "alice-password", "openid offline_access"))
                    .as("Keycloak refuses the scope")
                    .hasMessageContaining("invalid_scope");
            TokenResponse t = idp.passwordGrant("alice", "alice-password", OidcClient.Access.OFFLINE_IF_GRANTED);
            assertThat(OidcClient.offlineAccess(t)).isFalse();
            assertThat(svc.withToken(t.accessToken()).users().me().username()).isEqualTo("alice");
        }
    }

    @Test
    void theConsoleSignsInAtKeycloakWithCodeAndPkceAndSignsOut() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (TestServer svc = TestServer.start(Db.H2, c -> withClient(c.withOidc(issuer, null), null, consolePort))) {
            assertThat(svc.url()).isEqualTo("http://127.0.0.1:" + consolePort);
            String console = svc.url() + "/console/";
            HttpResponse<String> config = http.send(
                    HttpRequest.newBuilder(URI.create(console + "config.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(config.body())
                    .contains("\"client_id\":\"nexodus-web\"")
                    .contains("\"authorization_endpoint\":\"" + issuer + "/protocol/openid-connect/auth\"")
                    .contains("\"end_session_endpoint\":\"" + issuer + "/protocol/openid-connect/logout\"");
            String keycloakOrigin = issuer.substring(0, issuer.indexOf("/realms/"));
            assertThat(config.headers().firstValue("Content-Security-Policy"))
                    .as("the token endpoint's origin is the one other place the console may fetch from")
                    .hasValue("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' "
                            + keycloakOrigin + "; img-src 'self'; form-action 'self'; frame-ancestors 'none';"
                            + " base-uri 'none'");

            ChromeDriver browser = HeadlessChromium.start();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                browser.get(console);
                wait.until(ExpectedConditions.elementToBeClickable(By.id("login")))
                        .click();
                // Keycloak's own login page
                wait.until(ExpectedConditions.urlContains(issuer + "/protocol/openid-connect/auth"));
                visible(wait, By.id("username")).sendKeys("alice");
                browser.findElement(By.id("password")).sendKeys("alice-password");
                browser.findElement(By.id("kc-login")).click();
                // back in the console: the code redeemed at Keycloak's token endpoint (CORS), the API accepts the
                // token of nexodus-web, the user is the one nexctl's logins provision
                wait.until(ExpectedConditions.textToBe(By.id("who"), "Signed in as alice"));
                assertThat(browser.getCurrentUrl()).isEqualTo(console);
                assertThat(visible(wait, By.id("nav")).isDisplayed()).isTrue();

                Object renewed = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "import('/console/auth.js').then(async (m) => {"
                        + "  const before = m.accessToken();"
                        + "  const ok = await m.refresh();"
                        + "  done(ok && m.accessToken() !== before);"
                        + "}).catch((e) => done(String(e)));");
                assertThat(renewed)
                        .as("the access token renewed with Keycloak's refresh token")
                        .isEqualTo(true);

                visible(wait, By.id("logout")).click();
                // Keycloak ends its session and sends the browser back (state=signed-out)
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("main"), "You are signed out."));
                assertThat(browser.getCurrentUrl()).isEqualTo(console);
                visible(wait, By.id("login")).click();
                assertThat(visible(wait, By.id("username")).isDisplayed())
                        .as("Keycloak's session ended: it asks for the password again")
                        .isTrue();
            } finally {
                browser.quit();
            }
        }
    }

    // ---- helpers ----

    private static WebElement visible(WebDriverWait wait, By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private TokenResponse directGrant(String client, String user, String password) {
        return directGrantWithScope(client, user, password, "openid");
    }

    private TokenResponse directGrantWithScope(String client, String user, String password, String scope) {
        String form = "grant_type=password&client_id=" + client + "&username=" + user + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.statusCode() + " " + r.body());
            }
            return Json.mapper().readValue(r.body(), TokenResponse.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (ApiException e) {
            return e.status();
        }
    }

    /** The configuration with {@code --oidc-client-id} (null: the default, nexodus-cli) and port (0: any free one). */
    private static ServerConfig withClient(ServerConfig c, String clientId, int port) {
        return new ServerConfig(
                c.listenHost(),
                port,
                c.dataDir(),
                c.dbUrl(),
                c.dbUser(),
                c.dbPassword(),
                c.stunPorts(),
                c.adminPassword(),
                c.tlsCert(),
                c.tlsKey(),
                c.tlsSelfSigned(),
                c.publicUrl(),
                c.oidcIssuer(),
                clientId == null ? c.oidcClientId() : clientId,
                c.oidcAudience(),
                c.oidcConsoleClientId(),
                c.passwordIterations(),
                c.accessTokenTtl(),
                c.refreshTokenTtl(),
                c.watchHeartbeat(),
                c.onlineGrace(),
                c.dbPoolSize(),
                c.flags(),
                c.quiet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Unpacks the distribution (its one top directory) and makes its scripts executable; returns that directory. */
    private static Path unzip(Path zip, Path into) throws IOException {
        Path top = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (top == null) {
                    top = into.resolve(into.relativize(out).getName(0));
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> scripts = Files.list(Objects.requireNonNull(top).resolve("bin"))) {
            scripts.filter(p -> p.toString().endsWith(".sh"))
                    .forEach(p -> p.toFile().setExecutable(true));
        }
        return top;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
