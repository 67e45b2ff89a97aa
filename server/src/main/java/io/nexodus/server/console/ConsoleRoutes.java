package io.nexodus.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexodus.api.client.Json;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.RawReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves the web console: a few static files (plain ES modules and CSS, no build step) from the classpath under a
 * strict Content-Security-Policy. The files are public; everything they show comes from the API with the bearer token
 * the console holds in memory. {@code config.js} tells the console which issuer and client it signs in with.
 */
public final class ConsoleRoutes {
    /**
     * Where the console signs in: the built-in issuer (relative endpoints, client {@code nexodus-console}) or an
     * external one (absolute endpoints from its discovery document, the public client of
     * {@code --oidc-console-client-id}).
     *
     * @param endSessionEndpoint the issuer's logout page (RP-initiated logout); null = logout only drops the tokens
     * @param scope              asked for at the external issuer ({@code openid}: an ID token to end its session
     *                           with); null at the built-in one, which grants its default scope
     */
    public record Login(
            String clientId,
            String authorizationEndpoint,
            String tokenEndpoint,
            String endSessionEndpoint,
            String scope) {
        public static Login builtIn() {
            return new Login("nexodus-console", "/oauth/authorize", "/oauth/token", null, null);
        }

        /**
         * The login at an external issuer, or null (the console then says it cannot sign in) when the discovery
         * document names no http(s) authorization and token endpoints: the API still works for nexctl and nexd.
         */
        public static Login external(
                String clientId, String authorizationEndpoint, String tokenEndpoint, String endSessionEndpoint) {
            try {
                if (authorizationEndpoint == null
                        || tokenEndpoint == null
                        || issuerOrigin(authorizationEndpoint) == null
                        || issuerOrigin(tokenEndpoint) == null
                        || (endSessionEndpoint != null && issuerOrigin(endSessionEndpoint) == null)) {
                    return null;
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
            return new Login(clientId, authorizationEndpoint, tokenEndpoint, endSessionEndpoint, "openid");
        }
    }

    /** Scripts, styles and API calls from this origin only; no inline script or style, no framing. */
    static final String CSP = csp(null);

    private final String csp;
    /** {@code config.js}: fixed for the life of the service, so written once. */
    private final byte[] configModule;

    private static final Map<String, String> FILES = Map.ofEntries(
            Map.entry("index.html", "text/html; charset=utf-8"),
            Map.entry("app.js", "text/javascript; charset=utf-8"),
            Map.entry("api.js", "text/javascript; charset=utf-8"),
            Map.entry("auth.js", "text/javascript; charset=utf-8"),
            Map.entry("ui.js", "text/javascript; charset=utf-8"),
            Map.entry("live.js", "text/javascript; charset=utf-8"),
            Map.entry("drafts.js", "text/javascript; charset=utf-8"),
            Map.entry("graph.js", "text/javascript; charset=utf-8"),
            Map.entry("people.js", "text/javascript; charset=utf-8"),
            Map.entry("service.js", "text/javascript; charset=utf-8"),
            Map.entry("config.js", "text/javascript; charset=utf-8"),
            Map.entry("app.css", "text/css; charset=utf-8"));

    /** {@code login} null: the issuer offers no browser login (no authorization or token endpoint). */
    public ConsoleRoutes(Login login) {
        this.csp = csp(login == null ? null : issuerOrigin(login.tokenEndpoint()));
        this.configModule = configModule(login);
    }

    /**
     * The strict policy; with an external issuer, {@code connect-src} also names the origin of its token endpoint (the
     * code and refresh token are redeemed there with fetch; the issuer answers CORS for the client's web origins).
     * Going to the issuer's login and logout pages is a top-level navigation, which the policy does not govern, and the
     * console posts no form there, so {@code form-action} stays {@code 'self'}.
     */
    static String csp(String issuerOrigin) {
        return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"
                + (issuerOrigin == null ? "" : " " + issuerOrigin)
                + "; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    }

    /** {@code scheme://host[:port]} of an absolute URL; null for a relative one (the built-in issuer). */
    static String issuerOrigin(String endpoint) {
        URI u = URI.create(endpoint);
        if (!u.isAbsolute()) {
            return null;
        }
        if (u.getHost() == null
                || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
            throw new IllegalArgumentException("the OIDC issuer's token endpoint is not an http(s) URL: " + endpoint);
        }
        return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/console")
                        .tag("Console")
                        .access(Access.PUBLIC)
                        .summary("The web console (redirects to /console/)")
                        .status(302)
                        .handler(c -> new Reply(302, null, Map.of("Location", "/console/"))),
                Route.get("/console/")
                        .tag("Console")
                        .access(Access.PUBLIC)
                        .summary("The web console's page")
                        .contentType("text/html")
                        .returns(String.class)
                        .handler(c -> file("index.html")),
                Route.get("/console/{file}")
                        .tag("Console")
                        .access(Access.PUBLIC)
                        .summary("The web console's scripts and styles (text/javascript or text/css)")
                        .contentType("text/*")
                        .returns(String.class)
                        .errors(404)
                        .handler(this::serveFile));
    }

    private Object serveFile(Call c) {
        return file(c.path("file"));
    }

    /** The login settings as an ES module (JSON is a JavaScript expression; Jackson escapes the strings). */
    private static byte[] configModule(Login login) {
        if (login == null) {
            return "// The OIDC issuer offers no browser login.\nexport default null;\n"
                    .getBytes(StandardCharsets.UTF_8);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_id", login.clientId());
        m.put("authorization_endpoint", login.authorizationEndpoint());
        m.put("token_endpoint", login.tokenEndpoint());
        m.put("end_session_endpoint", login.endSessionEndpoint());
        m.put("scope", login.scope());
        try {
            return ("// Where the console signs in; written by the service from its OIDC settings.\nexport default "
                            + Json.mapper().writeValueAsString(m) + ";\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private RawReply file(String name) {
        String type = FILES.get(name);
        if (type == null) {
            throw ApiError.notFound("console file");
        }
        if (name.equals("config.js")) {
            return reply(type, configModule);
        }
        byte[] body;
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw ApiError.notFound("console file");
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reply(type, body);
    }

    private RawReply reply(String type, byte[] body) {
        return new RawReply(
                200,
                type,
                body,
                Map.of(
                        "Content-Security-Policy", csp,
                        "X-Content-Type-Options", "nosniff",
                        "X-Frame-Options", "DENY",
                        "Referrer-Policy", "no-referrer",
                        "Cache-Control", "no-cache"));
    }
}
