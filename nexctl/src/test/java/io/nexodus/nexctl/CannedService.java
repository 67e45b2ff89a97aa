package io.nexodus.nexctl;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Canned HTTP answers on loopback, for testing what nexctl sends and how it prints what comes back. Not a model of
 * the service: each test says which response a route gives. Includes the identity-provider routes nexctl's login
 * uses ({@code /device/login/start}, OIDC discovery, {@code /oauth/token}) with configurable behaviour.
 */
public final class CannedService implements AutoCloseable {
    /** One recorded request. */
    public record Request(
            String method, String path, String query, String authorization, String body, String userAgent) {
        public String queryParam(String name) {
            if (query == null) {
                return null;
            }
            for (String kv : query.split("&", -1)) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equals(name)) {
                    return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    /** A canned answer. */
    public record Response(int status, String body, Map<String, String> headers) {
        public static Response json(int status, String body) {
            return new Response(status, body, Map.of("Content-Type", "application/json"));
        }
    }

    /** IPv4 loopback whatever the JVM prefers, because {@link #url()} names 127.0.0.1. */
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    private final HttpServer server;
    private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    public final AtomicInteger passwordGrants = new AtomicInteger();
    public final AtomicInteger refreshGrants = new AtomicInteger();
    /** username → password accepted by the password grant. */
    public final Map<String, String> accounts = new ConcurrentHashMap<>(Map.of("admin", "secret"));
    /** Access tokens the API accepts (any when empty). */
    public final List<String> validTokens = new CopyOnWriteArrayList<>();

    public volatile long expiresIn = 300;
    public volatile boolean refreshRefused;
    /**
     * How a password grant asking for {@code offline_access} is refused, as Keycloak does: null grants it,
     * {@code "invalid_scope"} (the client lacks the scope) or {@code "not_allowed"} (the user lacks the role).
     */
    public volatile String offlineRefusal;
    /** The {@code scope} of every password grant, in order ("" when none was sent). */
    public final List<String> passwordScopes = new CopyOnWriteArrayList<>();

    public CannedService() throws IOException {
        this(null);
    }

    /** Serves HTTPS with {@code tls} when it is not null. */
    public CannedService(SSLContext tls) throws IOException {
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
        String base = url().toString();
        on(
                "POST /device/login/start",
                r -> Response.json(
                        200,
                        "{\"device_authorization_endpoint\":\"" + base + "/oauth/device\",\"issuer\":\"" + base
                                + "\",\"client_id\":\"nexodus-cli\",\"server_time\":\"2026-11-02T10:00:00Z\"}"));
        on(
                "GET /.well-known/openid-configuration",
                r -> Response.json(
                        200,
                        "{\"issuer\":\"" + base + "\",\"token_endpoint\":\"" + base
                                + "/oauth/token\",\"device_authorization_endpoint\":\"" + base + "/oauth/device\"}"));
        on("POST /oauth/token", this::token);
    }

    public URI url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sets the answer of {@code "METHOD /path"} (query strings are not part of the key). */
    public CannedService on(String route, Function<Request, Response> answer) {
        routes.put(route, answer);
        return this;
    }

    public CannedService on(String route, int status, String json) {
        return on(route, r -> Response.json(status, json));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests to {@code /api}. */
    public List<Request> apiRequests() {
        return requests.stream().filter(r -> r.path().startsWith("/api")).toList();
    }

    public Request last(String route) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            Request r = requests.get(i);
            if ((r.method() + " " + r.path()).equals(route)) {
                return r;
            }
        }
        throw new AssertionError("no request " + route + " in " + requests);
    }

    private Response token(Request r) {
        Map<String, String> form = new HashMap<>();
        for (String kv : r.body().split("&", -1)) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                form.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return switch (form.getOrDefault("grant_type", "")) {
            case "password" -> {
                passwordGrants.incrementAndGet();
                String scope = form.getOrDefault("scope", "");
                passwordScopes.add(scope);
                if (offlineRefusal != null && scope.contains("offline_access")) {
                    yield Response.json(
                            400,
                            "{\"error\":\"" + offlineRefusal
                                    + "\",\"error_description\":\"Offline tokens not allowed for the user or client\"}");
                }
                if ("throttled".equals(form.get("username"))) {
                    yield Response.json(
                            429,
                            "{\"error\":\"temporarily_unavailable\",\"error_description\":\"too many failed logins for"
                                    + " this account or from this address; try again in 42 s\"}");
                }
                String pw = accounts.get(form.get("username"));
                if (pw == null || !pw.equals(form.get("password"))) {
                    yield Response.json(
                            400, "{\"error\":\"invalid_grant\",\"error_description\":\"invalid user credentials\"}");
                }
                yield tokens("pw-" + passwordGrants.get());
            }
            case "refresh_token" -> {
                int n = refreshGrants.incrementAndGet();
                if (refreshRefused || !form.getOrDefault("refresh_token", "").startsWith("refresh-")) {
                    yield Response.json(
                            400, "{\"error\":\"invalid_grant\",\"error_description\":\"token is not active\"}");
                }
                yield tokens("rf-" + n);
            }
            default -> Response.json(400, "{\"error\":\"unsupported_grant_type\"}");
        };
    }

    private Response tokens(String id) {
        String access = "access-" + id;
        validTokens.add(access);
        return Response.json(
                200,
                "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
                        + ",\"refresh_token\":\"refresh-" + id + "\",\"refresh_expires_in\":86400}");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request req = new Request(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders().getFirst("Authorization"),
                    body,
                    ex.getRequestHeaders().getFirst("User-Agent"));
            requests.add(req);
            Response resp;
            if (req.path().startsWith("/api/")
                    && !validTokens.isEmpty()
                    && (req.authorization() == null
                            || !validTokens.contains(req.authorization().replaceFirst("^Bearer ", "")))) {
                resp = Response.json(401, "{\"error\":\"invalid token\"}");
            } else {
                Function<Request, Response> route = routes.get(req.method() + " " + req.path());
                resp = route == null
                        ? Response.json(404, "{\"error\":\"not found\",\"resource\":\"route\"}")
                        : route.apply(req);
            }
            resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] b = resp.body() == null ? new byte[0] : resp.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(resp.status(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
