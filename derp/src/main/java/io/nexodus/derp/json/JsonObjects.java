package io.nexodus.derp.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;

/**
 * DERP's few JSON documents (ClientInfo, ServerInfo, the key file) read and written with Jackson's streaming core, the
 * way Go's {@code encoding/json} treats them: a top-level object, member names matched by the caller (Go matches them
 * case-insensitively), {@code null} members skipped, unknown members and their nested values skipped, nothing after
 * the object. The input is bounded by the caller (a frame's size limit, a key file); nesting by {@link #MAX_DEPTH} and
 * numbers by {@link #MAX_NUMBER_LENGTH} digits. Errors are a checked {@link JsonException}, never an unchecked one.
 */
public final class JsonObjects {
    /** Deepest nesting accepted (unknown members may hold nested values). */
    public static final int MAX_DEPTH = 32;
    /** Longest number accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            // member names come from the network: do not keep them in a shared symbol table
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    private JsonObjects() {}

    /** Reads one member's value; {@code value} is positioned on its first token. */
    @FunctionalInterface
    public interface MemberReader {
        void read(String name, JsonParser value) throws IOException, JsonException;
    }

    /** Writes the members of one object. */
    @FunctionalInterface
    public interface MemberWriter {
        void write(JsonGenerator out) throws IOException;
    }

    /**
     * Parses {@code text}, whose top level must be an object, calling {@code reader} for every member whose value is
     * not {@code null}, in document order. A value the reader leaves unread is skipped.
     */
    public static void read(String text, MemberReader reader) throws JsonException {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonException("expected a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                reader.read(name, p);
                if (p.currentToken().isStructStart()) {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new JsonException("malformed JSON object");
            }
            if (p.nextToken() != null) {
                throw new JsonException("trailing data after the JSON object");
            }
        } catch (IOException e) {
            throw new JsonException("malformed JSON: " + e.getMessage());
        }
    }

    /** One object written compactly, members in the order {@code members} writes them (as Go's encoder). */
    public static String write(MemberWriter members) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            members.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** The current value as an {@code int}; an error when it is not an integer in range. */
    public static int intValue(JsonParser p, String name) throws IOException, JsonException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        throw new JsonException(name + " is not an integer");
    }

    /** The current value as a {@code long}; an error when it is not an integer in range. */
    public static long longValue(JsonParser p, String name) throws IOException, JsonException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        throw new JsonException(name + " is not an integer");
    }

    /** The current value as a {@code boolean}. */
    public static boolean boolValue(JsonParser p, String name) throws JsonException {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw new JsonException(name + " is not a boolean");
        };
    }

    /** The current value as a string. */
    public static String stringValue(JsonParser p, String name) throws IOException, JsonException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw new JsonException(name + " is not a string");
    }
}
