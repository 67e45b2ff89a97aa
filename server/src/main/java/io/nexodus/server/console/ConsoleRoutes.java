package io.nexodus.server.console;

import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.RawReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Serves the web console: a few static files (plain ES modules and CSS, no build step) from the classpath under a
 * strict Content-Security-Policy. The files are public; everything they show comes from the API with the bearer token
 * the console holds in memory.
 */
public final class ConsoleRoutes {
    /** Scripts, styles and API calls from this origin only; no inline script or style, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "auth.js", "text/javascript; charset=utf-8",
            "ui.js", "text/javascript; charset=utf-8",
            "people.js", "text/javascript; charset=utf-8",
            "service.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

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

    private static RawReply file(String name) {
        String type = FILES.get(name);
        if (type == null) {
            throw ApiError.notFound("console file");
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
        return new RawReply(
                200,
                type,
                body,
                Map.of(
                        "Content-Security-Policy", CSP,
                        "X-Content-Type-Options", "nosniff",
                        "X-Frame-Options", "DENY",
                        "Referrer-Policy", "no-referrer",
                        "Cache-Control", "no-cache"));
    }
}
