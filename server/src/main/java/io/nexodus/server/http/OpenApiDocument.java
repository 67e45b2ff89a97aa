package io.nexodus.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.Limits;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.ValidationError;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the OpenAPI 3.0 document from the {@link Route} table and the api module's records (reflection over
 * record components and their {@code @JsonProperty} names), so the document always matches what is served.
 */
public final class OpenApiDocument {
    private static final Pattern PARAM = Pattern.compile("\\{([^/}]+)}");

    private final ObjectMapper json;
    private final Map<String, ObjectNode> schemas = new TreeMap<>();

    private OpenApiDocument(ObjectMapper json) {
        this.json = json;
    }

    public static ObjectNode build(List<Route> routes, String serverUrl, String version, ObjectMapper json) {
        return new OpenApiDocument(json).render(routes, serverUrl, version);
    }

    private ObjectNode render(List<Route> routes, String serverUrl, String version) {
        ObjectNode doc = json.createObjectNode();
        doc.put("openapi", "3.0.3");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Nexodus API");
        info.put("version", version);
        info.put(
                "description",
                "The Nexodus service: REST API following upstream Nexodus' contract, watch stream, "
                        + "built-in OIDC issuer. Authenticate with 'Authorization: Bearer <access token | RK:... | DT:...>'.");
        doc.putArray("servers").addObject().put("url", serverUrl);
        ObjectNode paths = doc.putObject("paths");
        for (Route r : routes) {
            ObjectNode item = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            item.set(r.method().toLowerCase(Locale.ROOT), operation(r));
        }
        for (Class<?> c : List.of(
                BaseError.class,
                ValidationError.class,
                ConflictsError.class,
                NotFoundError.class,
                NotAllowedError.class,
                InternalServerError.class)) {
            schemaRef(c);
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode sc = components.putObject("schemas");
        schemas.forEach(sc::set);
        ObjectNode sec = components.putObject("securitySchemes");
        sec.putObject("bearer")
                .put("type", "http")
                .put("scheme", "bearer")
                .put(
                        "description",
                        "An access token of the identity provider, a registration key (RK:...) or a device token (DT:...)");
        return doc;
    }

    private ObjectNode operation(Route r) {
        ObjectNode op = json.createObjectNode();
        if (!r.tag().isEmpty()) {
            op.putArray("tags").add(r.tag());
        }
        op.put("summary", r.summary());
        op.put("operationId", operationId(r));
        if (r.access() != Access.PUBLIC) {
            op.putArray("security").addObject().putArray("bearer");
        }
        ArrayNode params = op.putArray("parameters");
        Matcher m = PARAM.matcher(r.path());
        while (m.find()) {
            ObjectNode p = params.addObject();
            p.put("name", m.group(1));
            p.put("in", "path");
            p.put("required", true);
            boolean uuid = m.group(1).equals("id")
                    || m.group(1).equals("uid")
                    || m.group(1).endsWith("organization");
            if (m.group(1).equals("id") && r.idOrMe()) {
                p.put("description", "the id, or `me`: the caller's own (user; or the key of an RK: token)");
                p.set("schema", json.createObjectNode().put("type", "string").put("pattern", ID_OR_ME));
                continue;
            }
            p.set(
                    "schema",
                    uuid
                            ? json.createObjectNode().put("type", "string").put("format", "uuid")
                            : m.group(1).equals("region_id")
                                    ? json.createObjectNode()
                                            .put("type", "integer")
                                            .put("format", "int32")
                                    : json.createObjectNode().put("type", "string"));
        }
        for (Route.QueryParam q : r.queryParams()) {
            ObjectNode p = params.addObject();
            p.put("name", q.name());
            p.put("in", "query");
            p.put("description", q.description());
            if (q.array()) {
                p.putObject("schema").put("type", "array").putObject("items").put("type", "string");
                p.put("explode", true);
            } else {
                p.putObject("schema").put("type", "string");
            }
        }
        if (r.requestBody() != null) {
            ObjectNode body = op.putObject("requestBody");
            body.put("required", true);
            String ct = r.requestBody() == FormBody.class ? "application/x-www-form-urlencoded" : "application/json";
            body.putObject("content").putObject(ct).set("schema", schema(r.requestBody()));
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject(Integer.toString(r.successStatus()));
        ok.put("description", r.successStatus() == 204 ? "no content" : "success");
        if (r.successStatus() != 204 && r.responseBody() != null) {
            ok.putObject("content").putObject(r.responseContentType()).set("schema", schema(r.responseBody()));
        }
        if (r.isList()) {
            ok.putObject("headers")
                    .putObject("X-Total-Count")
                    .put("description", "number of matching items")
                    .putObject("schema")
                    .put("type", "integer");
        }
        LinkedHashSet<Integer> errs = new LinkedHashSet<>(r.errors());
        if (r.access() != Access.PUBLIC) {
            errs.add(401);
            errs.add(403); // a registration key or device token used outside what it may do
        }
        errs.add(500);
        // a page answers its own errors (the ones the route lists) with a page; everything else answers JSON
        boolean page = r.responseContentType().startsWith("text/html");
        for (int e : errs) {
            ObjectNode resp = responses.putObject(Integer.toString(e));
            resp.put("description", describe(e));
            if (page && r.errors().contains(e)) {
                resp.putObject("content")
                        .putObject("text/html")
                        .putObject("schema")
                        .put("type", "string");
            } else {
                resp.putObject("content").putObject("application/json").set("schema", schemaRef(errorShape(e)));
            }
        }
        return op;
    }

    private static String operationId(Route r) {
        StringBuilder sb = new StringBuilder(r.method().toLowerCase(Locale.ROOT));
        for (String part : r.path().split("/", -1)) {
            if (part.isEmpty() || part.equals("api")) {
                continue;
            }
            String p = part.startsWith("{") ? "By" + cap(part.substring(1, part.length() - 1)) : cap(part);
            sb.append(p.replaceAll("[^A-Za-z0-9]", ""));
        }
        return sb.toString();
    }

    private static String cap(String s) {
        StringBuilder sb = new StringBuilder();
        for (String w : s.split("[-_.]", -1)) {
            if (!w.isEmpty()) {
                sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
            }
        }
        return sb.toString();
    }

    private static Class<?> errorShape(int status) {
        return switch (status) {
            case 400, 422 -> ValidationError.class;
            case 403, 405, 410 -> NotAllowedError.class;
            case 404 -> NotFoundError.class;
            case 409 -> ConflictsError.class;
            case 500 -> InternalServerError.class;
            default -> BaseError.class;
        };
    }

    private static String describe(int status) {
        return switch (status) {
            case 400 -> "invalid request (ValidationError, or BaseError/NotAllowedError)";
            case 401 -> "missing or invalid credentials";
            case 403 -> "not allowed for this caller";
            case 404 -> "not found or not visible to the caller";
            case 405 -> "disabled feature or unsupported method";
            case 409 ->
                "already exists (id names the existing resource), or conflicts with another resource (the"
                        + " error says which)";
            case 410 -> "deliberately removed: reason starts with what (e.g. 'device deleted: ...')";
            case 413 -> "request body too large";
            case 422 -> "invalid value";
            case 429 -> "too many failed logins for the account or from the address; Retry-After says when to retry";
            case 500 -> "internal error; trace_id finds the log entry";
            case 503 -> "the service is still starting; retry";
            default -> "error";
        };
    }

    /** Scalars the records carry as references (so possibly null); primitives never are. */
    private static final Set<Class<?>> NULLABLE_SCALARS =
            Set.of(String.class, UUID.class, Instant.class, Boolean.class, Integer.class, Long.class);

    /** A UUID or the word {@code me}. */
    static final String ID_OR_ME = "^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$";

    JsonNode schema(Type t) {
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (List.class.isAssignableFrom(raw)) {
                ObjectNode n = json.createObjectNode().put("type", "array");
                n.set("items", schema(pt.getActualTypeArguments()[0]));
                return n;
            }
            if (Map.class.isAssignableFrom(raw)) {
                ObjectNode n = json.createObjectNode().put("type", "object");
                n.set("additionalProperties", schema(pt.getActualTypeArguments()[1]));
                return n;
            }
            return schema(raw);
        }
        Class<?> c = (Class<?>) t;
        if (c == String.class) {
            return json.createObjectNode().put("type", "string");
        }
        if (c == UUID.class) {
            return json.createObjectNode().put("type", "string").put("format", "uuid");
        }
        if (c == Instant.class) {
            return json.createObjectNode().put("type", "string").put("format", "date-time");
        }
        if (c == boolean.class || c == Boolean.class) {
            return json.createObjectNode().put("type", "boolean");
        }
        if (c == int.class || c == Integer.class) {
            return json.createObjectNode().put("type", "integer").put("format", "int32");
        }
        if (c == long.class || c == Long.class) {
            return json.createObjectNode().put("type", "integer").put("format", "int64");
        }
        if (c == JsonNode.class || c == Object.class) {
            return json.createObjectNode().put("description", "any JSON value");
        }
        if (c.isRecord()) {
            return schemaRef(c);
        }
        return json.createObjectNode().put("type", "object");
    }

    private JsonNode schemaRef(Class<?> c) {
        String name = c.getSimpleName();
        if (!schemas.containsKey(name)) {
            schemas.put(name, json.createObjectNode()); // placeholder against recursion
            ObjectNode s = json.createObjectNode().put("type", "object");
            ObjectNode props = s.putObject("properties");
            for (RecordComponent rc : c.getRecordComponents()) {
                JsonProperty jp = rc.getAccessor().getAnnotation(JsonProperty.class);
                String field = jp != null ? jp.value() : rc.getName();
                JsonNode fs = schema(rc.getGenericType());
                if (NULLABLE_SCALARS.contains(rc.getType())) {
                    // a Java reference that may be unset is sent as null: the document says so, so that typed
                    // clients and validators accept what is served
                    ((ObjectNode) fs).put("nullable", true);
                }
                Limits l = rc.getAnnotation(Limits.class);
                props.set(field, l == null ? fs : limited((ObjectNode) fs, l));
            }
            schemas.put(name, s);
        }
        return json.createObjectNode().put("$ref", "#/components/schemas/" + name);
    }

    /** The field's schema with its declared {@link Limits} (the same ones {@link RequestLimits} enforces). */
    private static ObjectNode limited(ObjectNode fs, Limits l) {
        String type = fs.path("type").asText("");
        if (type.equals("string")) {
            if (l.minLength() >= 0) {
                fs.put("minLength", l.minLength());
            }
            if (l.maxLength() >= 0) {
                fs.put("maxLength", l.maxLength());
            }
        } else if (type.equals("integer")) {
            if (l.min() != Long.MIN_VALUE) {
                fs.put("minimum", l.min());
            }
            if (l.max() != Long.MAX_VALUE) {
                fs.put("maximum", l.max());
            }
        } else if (type.equals("array")) {
            if (l.maxItems() >= 0) {
                fs.put("maxItems", l.maxItems());
            }
            if (l.itemMaxLength() >= 0 && fs.get("items") instanceof ObjectNode items) {
                items.put("maxLength", l.itemMaxLength());
            }
        } else if (l.maxLength() >= 0) {
            fs.put("description", "at most " + l.maxLength() + " characters as compact JSON text");
        }
        if (!l.note().isEmpty()) {
            fs.put("description", l.note());
        }
        return fs;
    }

    /** Marker for form-encoded request bodies (the OAuth token endpoint). */
    public record FormBody(@JsonProperty("grant_type") String grantType) {}
}
