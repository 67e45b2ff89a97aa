package io.nexodus.server.http;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint: the single source for both the HTTP routing and the OpenAPI document, so they cannot disagree.
 * {@code path} uses {@code {name}} parameters. {@code requestBody}/{@code responseBody} are Java types (records,
 * {@code List<...>}) rendered as schemas; {@code errors} are the documented error statuses. {@code audited}: calls go
 * to the audit log (every change under {@code /api/} and {@code /admin/} unless the route opts out).
 */
public record Route(
        String method,
        String path,
        String tag,
        String summary,
        Access access,
        Type requestBody,
        Type responseBody,
        int successStatus,
        List<Integer> errors,
        List<QueryParam> queryParams,
        String responseContentType,
        boolean idOrMe,
        boolean audited,
        ApiHandler handler) {

    /** A documented query parameter. */
    public record QueryParam(String name, String description, boolean array) {}

    public static Builder get(String path) {
        return new Builder("GET", path);
    }

    public static Builder post(String path) {
        return new Builder("POST", path);
    }

    public static Builder put(String path) {
        return new Builder("PUT", path);
    }

    public static Builder patch(String path) {
        return new Builder("PATCH", path);
    }

    public static Builder delete(String path) {
        return new Builder("DELETE", path);
    }

    public boolean isList() {
        return queryParams.stream().anyMatch(q -> q.name().equals("range"));
    }

    /** Builds a {@link Route}. */
    public static final class Builder {
        private final String method;
        private final String path;
        private String tag = "";
        private String summary = "";
        private Access access = Access.USER;
        private Type requestBody;
        private Type responseBody;
        private int status = 200;
        private List<Integer> errors = List.of();
        private final ArrayList<QueryParam> query = new ArrayList<>();
        private String contentType = "application/json";
        private boolean idOrMe;
        private boolean unaudited;

        private Builder(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder tag(String t) {
            this.tag = t;
            return this;
        }

        public Builder summary(String s) {
            this.summary = s;
            return this;
        }

        public Builder access(Access a) {
            this.access = a;
            return this;
        }

        public Builder body(Type t) {
            this.requestBody = t;
            return this;
        }

        public Builder returns(Type t) {
            this.responseBody = t;
            return this;
        }

        public Builder status(int s) {
            this.status = s;
            return this;
        }

        public Builder errors(Integer... e) {
            this.errors = List.of(e);
            return this;
        }

        public Builder contentType(String c) {
            this.contentType = c;
            return this;
        }

        public Builder query(String name, String description) {
            query.add(new QueryParam(name, description, false));
            return this;
        }

        public Builder queryArray(String name, String description) {
            query.add(new QueryParam(name, description, true));
            return this;
        }

        /** Adds react-admin's sort/filter/range parameters. */
        public Builder listParams() {
            query.add(new QueryParam("sort", "JSON [\"field\",\"ASC|DESC\"]", false));
            query.add(new QueryParam(
                    "filter", "JSON object {\"field\": value, ...} (equality; array fields: contains)", false));
            query.add(new QueryParam("range", "JSON [start,end], both inclusive, 0-based", false));
            return this;
        }

        /** The {@code {id}} path parameter may also be {@code me}: the caller's own (documented so). */
        public Builder idOrMe() {
            this.idOrMe = true;
            return this;
        }

        /**
         * Keeps a route that is not GET out of the audit log: reads sent as POST (watch streams) and an agent's
         * periodic reports, which change no configuration.
         */
        public Builder unaudited() {
            this.unaudited = true;
            return this;
        }

        public Route handler(ApiHandler h) {
            boolean audited =
                    !unaudited && !"GET".equals(method) && (path.startsWith("/api/") || path.startsWith("/admin/"));
            return new Route(
                    method,
                    path,
                    tag,
                    summary,
                    access,
                    requestBody,
                    responseBody,
                    status,
                    errors,
                    List.copyOf(query),
                    contentType,
                    idOrMe,
                    audited,
                    h);
        }
    }
}
