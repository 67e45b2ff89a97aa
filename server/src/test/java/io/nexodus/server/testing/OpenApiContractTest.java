package io.nexodus.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract check itself finds what it must: wrong types, nulls where none are allowed, undocumented answers. */
class OpenApiContractTest {
    private static final String DOC = """
            {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
             "paths": {"/api/things/{id}": {"get": {"responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "404": {"description": "no", "content": {"application/json": {"schema": {"type": "object"}}}}}}}},
             "components": {"schemas": {"Thing": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "note": {"type": "string"},
                "seen_at": {"type": "string", "format": "date-time", "nullable": true}}}}}}
            """;

    private final OpenApiContract contract;

    OpenApiContractTest() throws Exception {
        contract = new OpenApiContract(Json.mapper().readTree(DOC));
    }

    private List<String> check(int status, String contentType, String body) {
        return contract.check("GET", "/api/things/{id}", status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aConformingBodyPasses() {
        assertThat(check(
                        200,
                        "application/json",
                        "{\"id\":\"3f2b0c4e-1d2a-4c6b-9f00-000000000001\",\"note\":\"x\",\"seen_at\":null}"))
                .isEmpty();
    }

    @Test
    void findsNullsTypesFormatsAndMissingFields() {
        assertThat(check(200, "application/json", "{\"id\":\"3f2b0c4e-1d2a-4c6b-9f00-000000000001\",\"note\":null}"))
                .singleElement()
                .asString()
                .contains("note");
        assertThat(check(200, "application/json", "{\"id\":\"not-a-uuid\"}"))
                .singleElement()
                .asString()
                .contains("id");
        assertThat(check(200, "application/json", "{\"note\":\"x\"}"))
                .singleElement()
                .asString()
                .contains("id");
        assertThat(check(200, "application/json", "[]")).isNotEmpty();
    }

    @Test
    void findsUndocumentedStatusesAndContentTypes() {
        assertThat(check(500, "application/json", "{}"))
                .singleElement()
                .asString()
                .contains("status not documented");
        assertThat(check(200, "text/html", "<p>")).singleElement().asString().contains("content type");
        assertThat(contract.documents("GET", "/api/things/{id}")).isTrue();
        assertThat(contract.documents("DELETE", "/api/things/{id}")).isFalse();
    }
}
