package io.nexodus.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ValidationError;
import io.nexodus.server.auth.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/** One request as a handler sees it: principal, typed path/query access, the parsed body, and the raw response. */
public final class Call {
    /** The largest request body the service reads; the web server refuses larger ones with the same answer. */
    public static final int MAX_BODY = 1024 * 1024;

    /** The error message of a 413, whether the web server or {@link #bodyBytes} refused the body. */
    public static final String BODY_TOO_LARGE = "request body larger than 1 MiB";

    private final ServerRequest req;
    private final ServerResponse res;
    private final Principal principal;
    private final ObjectMapper json;
    private final String traceId;
    private boolean streamed;

    Call(ServerRequest req, ServerResponse res, Principal principal, ObjectMapper json, String traceId) {
        this.req = req;
        this.res = res;
        this.principal = principal;
        this.json = json;
        this.traceId = traceId;
    }

    /** The caller; only null on {@link Access#PUBLIC} routes without credentials. */
    public Principal principal() {
        return principal;
    }

    public ServerRequest request() {
        return req;
    }

    public ServerResponse response() {
        return res;
    }

    /** Starts a streaming response: the handler writes the body itself and returns null. */
    public OutputStream stream(String contentType) {
        res.header("Content-Type", contentType);
        res.header("Cache-Control", "no-cache, no-store");
        streamed = true;
        return res.outputStream();
    }

    boolean streamed() {
        return streamed;
    }

    public String traceId() {
        return traceId;
    }

    /** A path parameter that must be a UUID (400 otherwise, as upstream's "path parameter invalid"). */
    public UUID pathId(String name) {
        String v = req.path().pathParameters().get(name);
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, new ValidationError("path parameter invalid", name, "not a UUID"));
        }
    }

    public String path(String name) {
        return req.path().pathParameters().get(name);
    }

    public Optional<String> query(String name) {
        return req.query().contains(name) ? Optional.of(req.query().get(name)) : Optional.empty();
    }

    public List<String> queryAll(String name) {
        return req.query().contains(name) ? req.query().all(name) : List.of();
    }

    /**
     * The client's IP address as the connection shows it (not {@code X-Forwarded-For}: behind a proxy this is the
     * proxy's address).
     */
    public String remoteAddress() {
        return req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress()
                : String.valueOf(req.remotePeer().address());
    }

    public Optional<String> header(String name) {
        return req.headers().first(HeaderNames.create(name));
    }

    /**
     * A 413 for a body we stop using. The connection is closed after the answer; what is left of the body should have
     * been read first ({@link #discardRest}), or the close may reset the connection before the client reads the 413.
     */
    private ApiError bodyTooLarge() {
        res.header(HeaderValues.CONNECTION_CLOSE);
        return new ApiError(413, new BaseError(BODY_TOO_LARGE));
    }

    /** The raw body bytes (at most 1 MiB). */
    public byte[] bodyBytes() {
        try (InputStream in = req.content().inputStream()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                discardRest(in);
                throw bodyTooLarge();
            }
            return b;
        } catch (IOException e) {
            throw ApiError.badRequest("cannot read request body: " + e.getMessage());
        } catch (RequestException e) {
            // the web server's own refusal while streaming the body: its payload limit, or a broken chunk
            if (e.status().code() == 413) {
                throw bodyTooLarge();
            }
            throw ApiError.badRequest("cannot read request body: " + e.status().reasonPhrase());
        }
    }

    /**
     * Reads and drops the rest of a body we refuse, up to the web server's payload limit, so the client has sent it
     * all when the 413 and the close come (a close with unread data resets the connection, and a client still sending
     * may never see the answer). Larger bodies stop at that limit with the same answer, as best effort.
     */
    private static void discardRest(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RequestException e) {
            // the limit or a broken chunk: the 413 goes out all the same
        }
    }

    /** The JSON body as {@code type}; 400 with the offending field when it does not parse. */
    public <T> T body(Class<T> type) {
        return decode(bodyBytes(), type.getSimpleName(), b -> json.readValue(b, type), json);
    }

    /** The JSON body as a generic type such as {@code List<Watch>}; errors as {@link #body(Class)}. */
    public <T> T body(TypeReference<T> type) {
        return decode(
                bodyBytes(),
                json.constructType(type).getRawClass().getSimpleName(),
                b -> json.readValue(b, type),
                json);
    }

    /** Reads the body bytes into a value. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(byte[] body) throws IOException;
    }

    /**
     * A request body's bytes as a value whose fields are within their documented {@link io.nexodus.api.model.Limits}:
     * the value, or an {@link ApiError} 400 (naming the field where one is at fault). Nothing else escapes, whatever
     * the bytes (fuzzed by {@code RequestBodyFuzzTest}).
     */
    static <T> T decode(byte[] b, String typeName, BodyReader<T> reader, ObjectMapper json) {
        if (b.length == 0) {
            throw ApiError.badRequest("request body is required");
        }
        try {
            T v = reader.read(b);
            if (v == null) {
                throw ApiError.badRequest("request body is required");
            }
            RequestLimits.check(v, json);
            return v;
        } catch (InvalidFormatException e) {
            throw ApiError.invalid(fieldPath(e), "invalid value " + e.getValue());
        } catch (MismatchedInputException e) {
            String f = fieldPath(e);
            throw f.isEmpty()
                    ? ApiError.badRequest("request json is invalid: expected " + typeName)
                    : ApiError.invalid(f, "wrong JSON type");
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request json is invalid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("cannot read request body: " + e.getMessage());
        }
    }

    /** The JSON body as a tree (any JSON value). */
    public JsonNode bodyTree() {
        byte[] b = bodyBytes();
        if (b.length == 0) {
            throw ApiError.badRequest("request body is required");
        }
        try {
            return json.readTree(b);
        } catch (IOException e) {
            throw ApiError.badRequest("request json is invalid");
        }
    }

    public ObjectMapper json() {
        return json;
    }

    private static String fieldPath(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
