package io.nexodus.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.nexodus.api.client.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a live response against the service's own OpenAPI document: the status is one the operation documents, the
 * content type is the documented one, and a JSON body validates against the documented schema. The schemas are read
 * by an independent validator (networknt json-schema-validator, OpenAPI 3.0 dialect: {@code nullable}, {@code
 * format} asserted), so the document and the handlers cannot drift apart unnoticed.
 */
public final class OpenApiContract {
    private static final String DOCUMENT_URI = "https://nexodus.test/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;

    public OpenApiContract(JsonNode document) {
        this.document = document;
        String text;
        try {
            text = Json.mapper().writeValueAsString(document);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.registry = SchemaRegistry.withDefaultDialect(
                Dialects.getOpenApi30(),
                b -> b.schemas(Map.of(DOCUMENT_URI, text))
                        .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                .formatAssertionsEnabled(true)
                                .build()));
    }

    /** True when the document describes {@code method template} (path as in the document, e.g. /api/vpcs/{id}). */
    public boolean documents(String method, String template) {
        return !operation(method, template).isMissingNode();
    }

    /**
     * What is wrong with one response, or an empty list. {@code body} may be null when it was not read (a stream);
     * then only the status and the content type are checked.
     */
    public List<String> check(String method, String template, int status, String contentType, byte[] body) {
        String what = method + " " + template + " → " + status + ": ";
        List<String> problems = new ArrayList<>();
        JsonNode op = operation(method, template);
        if (op.isMissingNode()) {
            problems.add(what + "operation not in the document");
            return problems;
        }
        JsonNode response = op.path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) {
            problems.add(what + "status not documented (documented: "
                    + iterable(op.path("responses").fieldNames()) + ")");
            return problems;
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (body != null && body.length > 0) {
                problems.add(what + "documented without a body, but one came (" + contentType + ")");
            }
            return problems;
        }
        // a documented media type may carry parameters (the watch streams' application/json;stream=watch)
        String full = contentType == null ? "" : contentType.replace(" ", "").toLowerCase(Locale.ROOT);
        String base = full.split(";", 2)[0];
        String mediaType = content.has(full)
                ? full
                : content.has(base)
                        ? base
                        : content.has(base.replaceAll("/.*", "/*")) ? base.replaceAll("/.*", "/*") : base;
        if (!content.has(mediaType)) {
            problems.add(what + "content type " + contentType + " not documented (documented: "
                    + iterable(content.fieldNames()) + ")");
            return problems;
        }
        if (body == null || !mediaType.equals("application/json")) {
            return problems;
        }
        JsonNode value;
        try {
            value = Json.mapper().readTree(body);
        } catch (IOException e) {
            problems.add(what + "body is not JSON: " + e.getMessage());
            return problems;
        }
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status
                + "/content/" + escape(mediaType) + "/schema";
        Schema schema = registry.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + pointer));
        for (Error e : schema.validate(value)) {
            problems.add(what + e.getMessage() + " in " + abbreviate(value.toString()));
        }
        return problems;
    }

    private JsonNode operation(String method, String template) {
        return document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
    }

    private static String escape(String jsonPointerToken) {
        return jsonPointerToken.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
