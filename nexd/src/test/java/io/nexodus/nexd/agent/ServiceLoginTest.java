package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.state.StateStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How nexd logs in to an identity provider that grants offline access only to some (Keycloak's {@code not_allowed}
 * for a user without the offline role): the unattended password login never asks for it and logs in again with the
 * password when its session ends; the device login asks for it and, refused after the approval, shows a second code.
 */
class ServiceLoginTest {
    @TempDir
    Path stateDir;

    private HttpServer server;
    private String base;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> deviceScopes = new HashMap<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile boolean offlineAllowed = false;
    private volatile boolean refreshRefused = false;
    private volatile String lastBearer;

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

    @Test
    void thePasswordLoginNeverAsksForOfflineAccessAndLogsInAgainWhenItsSessionEnds() throws Exception {
        offlineAllowed = true;
        Clock[] now = {Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC)};
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0].instant();
            }
        };
        ServiceLogin.Login login = new ServiceLogin(
                        config(Optional.of("alice"), Optional.of("pw")), new StateStore(stateDir), s -> {}, clock)
                .login(anonymous());
        assertThat(requests).containsExactly("password openid profile email");
        assertThat(bearer(login)).isEqualTo("at-1");

        // hours later the provider's session has ended: the refresh token is refused, the password logs in again
        refreshRefused = true;
        now[0] = Clock.offset(now[0], Duration.ofHours(11));
        assertThat(bearer(login)).isEqualTo("at-2");
        assertThat(requests)
                .containsExactly("password openid profile email", "refresh_token -", "password openid profile email");
        assertThat(new StateStore(stateDir).load().authToken().accessToken())
                .as("the new login is kept")
                .isEqualTo("at-2");
    }

    @Test
    void theDeviceLoginShowsASecondCodeWhenOfflineAccessIsRefusedAfterTheApproval() throws Exception {
        List<AgentStatus> statuses = new CopyOnWriteArrayList<>();
        ServiceLogin.Login login = new ServiceLogin(
                        config(Optional.empty(), Optional.empty()),
                        new StateStore(stateDir),
                        statuses::add,
                        Clock.systemUTC())
                .login(anonymous());
        assertThat(requests)
                .containsExactly(
                        "device openid profile email offline_access",
                        "device_code openid profile email offline_access",
                        "device openid profile email",
                        "device_code openid profile email");
        assertThat(statuses).hasSize(2).allMatch(s -> s.state().equals(AgentStatus.WAITING_FOR_AUTH));
        assertThat(statuses.get(1).message()).contains("refused offline access").contains("UC-dc-");
        assertThat(bearer(login)).isNotNull();
    }

    @Test
    void theDeviceLoginKeepsOfflineAccessWhereGranted() throws Exception {
        offlineAllowed = true;
        new ServiceLogin(
                        config(Optional.empty(), Optional.empty()),
                        new StateStore(stateDir),
                        s -> {},
                        Clock.systemUTC())
                .login(anonymous());
        assertThat(requests)
                .containsExactly(
                        "device openid profile email offline_access",
                        "device_code openid profile email offline_access");
        assertThat(new StateStore(stateDir).load().authToken().refreshToken()).isNotNull();
    }

    /** The bearer token the login's client sends now (it asks the fake service who it is). */
    private String bearer(ServiceLogin.Login login) {
        login.client().users().me();
        return lastBearer;
    }

    private NexodusClient anonymous() {
        return NexodusClient.builder(URI.create(base)).build();
    }

    private AgentConfig config(Optional<String> username, Optional<String> password) {
        return new AgentConfig(
                AgentConfig.Mode.AGENT,
                URI.create(base),
                TlsOptions.DEFAULT,
                Optional.empty(),
                username,
                password,
                Optional.empty(),
                Optional.empty(),
                stateDir,
                stateDir.resolve("nexd.sock"),
                0,
                Optional.empty(),
                Optional.empty(),
                List.of("stun1:3478"),
                false,
                "wg0",
                1420,
                List.of(),
                "host-a",
                PeeringTimeouts.DEFAULT,
                Duration.ofSeconds(20),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Optional.empty(),
                RouterConfig.NONE,
                ProxyConfig.NONE,
                Optional.empty(),
                Duration.ofHours(24));
    }

    // ---- the fake provider: Keycloak's answers for a user without the offline role ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            switch (ex.getRequestURI().getRawPath()) {
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
                case "/device" -> {
                    String scope = form.getOrDefault("scope", "-");
                    requests.add("device " + scope);
                    String code = "dc-" + issued.incrementAndGet();
                    synchronized (deviceScopes) {
                        deviceScopes.put(code, scope);
                    }
                    send(
                            ex,
                            200,
                            "{\"device_code\":\"" + code + "\",\"user_code\":\"UC-" + code
                                    + "\",\"verification_uri\":\"" + base
                                    + "/verify\",\"expires_in\":30,\"interval\":0}");
                }
                case "/token" -> token(ex, form);
                case "/api/users/me" -> {
                    lastBearer = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"))
                            .replaceFirst("^Bearer ", "");
                    send(ex, 200, "{\"id\":\"" + UUID.randomUUID() + "\",\"username\":\"alice\"}");
                }
                default -> send(ex, 404, "{}");
            }
        }
    }

    private void token(HttpExchange ex, Map<String, String> form) throws IOException {
        String grant = form.getOrDefault("grant_type", "");
        String scope;
        if (grant.endsWith("device_code")) {
            synchronized (deviceScopes) {
                scope = deviceScopes.get(form.get("device_code"));
            }
            requests.add("device_code " + scope);
        } else {
            scope = form.getOrDefault("scope", "-");
            requests.add(grant + " " + scope);
        }
        if (grant.equals("refresh_token") && refreshRefused) {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}");
            return;
        }
        if (!offlineAllowed && scope.contains("offline_access")) {
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
                        + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"refresh_token\":\"rt-" + n + "\"}");
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
