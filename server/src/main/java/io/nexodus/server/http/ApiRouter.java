package io.nexodus.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.server.audit.AuditLog;
import io.nexodus.server.auth.Authenticator;
import io.nexodus.server.auth.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Serves the {@link Route} table on Helidon: authentication by access level, JSON bodies, list parameters, the
 * documented error shapes for every failure (stack traces only in the log, under a trace id), and request metrics.
 * Unknown paths get a JSON 404, known paths with another method a JSON 405.
 */
public final class ApiRouter {
    private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

    private final List<Route> routes = new ArrayList<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private final Authenticator authenticator;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final AuditLog audit;

    public ApiRouter(Authenticator authenticator, ObjectMapper json, MeterRegistry meters, AuditLog audit) {
        this.authenticator = authenticator;
        this.json = json;
        this.meters = meters;
        this.audit = audit;
    }

    public ApiRouter add(Route r) {
        for (Route existing : routes) {
            if (existing.method().equals(r.method()) && existing.path().equals(r.path())) {
                throw new IllegalStateException("duplicate route " + r.method() + " " + r.path());
            }
        }
        routes.add(r);
        patterns.add(Pattern.compile(r.path().replaceAll("\\{[^/]+}", "[^/]+")));
        return this;
    }

    public ApiRouter addAll(List<Route> rs) {
        rs.forEach(this::add);
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** Registers every route, then the JSON 404/405 fallback. */
    public void register(HttpRouting.Builder b) {
        for (Route r : routes) {
            b.route(Method.create(r.method()), r.path(), (req, res) -> serve(r, req, res));
        }
        b.any((req, res) -> fallback(req, res));
        b.error(Throwable.class, (req, res, t) -> {
            String trace = newTraceId();
            log.error(
                    "unhandled failure [trace {}] {} {}",
                    trace,
                    req.prologue().method(),
                    req.path().path(),
                    t);
            if (!res.isSent()) {
                writeJson(res, 500, new InternalServerError(InternalServerError.MESSAGE, trace));
            }
        });
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        for (int i = 0; i < routes.size(); i++) {
            if (patterns.get(i).matcher(path).matches()) {
                res.header("Allow", allowed(path));
                writeJson(
                        res,
                        405,
                        new NotAllowedError(
                                NotAllowedError.MESSAGE,
                                "method " + req.prologue().method().text() + " is not supported here"));
                return;
            }
        }
        writeJson(res, 404, new NotFoundError(NotFoundError.MESSAGE, "route"));
    }

    private String allowed(String path) {
        List<String> m = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            if (patterns.get(i).matcher(path).matches()) {
                m.add(routes.get(i).method());
            }
        }
        return String.join(", ", m);
    }

    void serve(Route r, ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String trace = newTraceId();
        MDC.put("trace_id", trace);
        int status = 500;
        Call call = null;
        Principal p = null;
        Object out = null;
        try {
            p = authenticate(r, req);
            call = new Call(req, res, p, json, trace);
            out = r.handler().handle(call);
            status = write(r, call, out);
        } catch (ApiError e) {
            status = e.status();
            if (!res.isSent() && !streaming(call)) {
                writeJson(res, e.status(), e.body());
            }
        } catch (UncheckedIOException | ServerConnectionException e) {
            // the client went away while we were writing: nothing to answer
            status = 499;
            log.debug("client disconnected during {} {}: {}", r.method(), r.path(), e.getMessage());
        } catch (Exception e) {
            status = 500;
            log.error(
                    "request failed [trace {}] {} {}",
                    trace,
                    r.method(),
                    req.path().path(),
                    e);
            if (!res.isSent() && !streaming(call)) {
                writeJson(res, 500, new InternalServerError(InternalServerError.MESSAGE, trace));
            }
        } finally {
            if (r.audited() && p != null && call != null) {
                audit.request(p, call.remoteAddress(), r.method() + " " + r.path(), target(req, status, out), status);
            }
            MDC.remove("trace_id");
            Timer.builder("http.server.requests")
                    .description("API requests by method, route template and status, and their duration")
                    .tag("method", r.method())
                    .tag("route", r.path())
                    .tag("status", Integer.toString(status))
                    .register(meters)
                    .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    /** The resource a change was made to: the request's path, with the new id appended for a create. */
    private String target(ServerRequest req, int status, Object out) {
        String path = req.path().path();
        Object body = out instanceof Reply rep ? rep.body() : out;
        if (status == 201 && body != null && !(body instanceof RawReply) && !(body instanceof ListReply)) {
            JsonNode id = json.valueToTree(body).path("id");
            if (id.isTextual()) {
                return path + "/" + id.asText();
            }
        }
        return path;
    }

    /** A streaming handler already took the output stream: headers can no longer change. */
    private static boolean streaming(Call call) {
        return call != null && call.streamed();
    }

    private Principal authenticate(Route r, ServerRequest req) {
        if (r.access() == Access.PUBLIC) {
            return null;
        }
        String h = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (h == null || h.isBlank()) {
            throw ApiError.unauthorized("authorization required: send 'Authorization: Bearer <token>'");
        }
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("only bearer tokens are accepted");
        }
        String token = h.substring(7).strip();
        if (token.isEmpty()) {
            throw ApiError.unauthorized("empty bearer token");
        }
        Principal p = authenticator.authenticate(token);
        switch (r.access()) {
            case USER -> {
                if (!(p instanceof Principal.UserPrincipal)) {
                    throw ApiError.forbidden("not allowed with a registration key or device token");
                }
            }
            case ADMIN -> {
                if (!(p instanceof Principal.UserPrincipal u) || !u.admin()) {
                    throw ApiError.forbidden("administrators only");
                }
            }
            default -> {}
        }
        return p;
    }

    private int write(Route r, Call call, Object out) throws IOException {
        ServerResponse res = call.response();
        if (call.streamed() || res.isSent()) {
            return res.status().code();
        }
        return switch (out) {
            case null -> {
                res.status(Status.create(r.successStatus())).send();
                yield r.successStatus();
            }
            case Reply rep -> {
                rep.headers().forEach(res::header);
                if (rep.status() == 204 || rep.body() == null) {
                    res.status(Status.create(rep.status())).send();
                } else {
                    writeJson(res, rep.status(), rep.body());
                }
                yield rep.status();
            }
            case RawReply raw -> {
                res.status(Status.create(raw.status()))
                        .header("Content-Type", raw.contentType())
                        .header("Cache-Control", "no-store");
                raw.headers().forEach(res::header);
                res.send(raw.body());
                yield raw.status();
            }
            case ListReply list -> {
                ListParams params = ListParams.parse(call, json, list.defaultSort());
                List<ObjectNode> nodes = new ArrayList<>(list.items().size());
                for (Object o : list.items()) {
                    nodes.add(json.valueToTree(o));
                }
                ListParams.Page page = params.apply(nodes);
                ArrayNode arr = json.createArrayNode();
                arr.addAll(page.items());
                res.header("X-Total-Count", Integer.toString(page.total()));
                res.header("Access-Control-Expose-Headers", "X-Total-Count");
                writeJson(res, r.successStatus(), arr);
                yield r.successStatus();
            }
            default -> {
                writeJson(res, r.successStatus(), out);
                yield r.successStatus();
            }
        };
    }

    void writeJson(ServerResponse res, int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.status(Status.create(status))
                .header("Content-Type", "application/json")
                .header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
                .send(bytes);
    }

    /** A JSON error for code paths outside a route (e.g. Helidon's direct handlers). */
    public byte[] errorBytes(String message) {
        try {
            return json.writeValueAsBytes(new BaseError(message));
        } catch (IOException e) {
            return ("{\"error\":\"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    static String newTraceId() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
