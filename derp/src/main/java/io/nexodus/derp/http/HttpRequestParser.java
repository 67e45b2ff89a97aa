package io.nexodus.derp.http;

import io.nexodus.derp.frame.FrameReader;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small strict HTTP/1.1 request-head parser (RFC 9112) for the relay's few endpoints. It reads through the
 * connection's {@link FrameReader}, so bytes after the head (a fast-start ClientInfo) stay buffered for DERP.
 * Strict: CRLF line ends only, no obs-fold, no whitespace before a colon, token header names, a Host header for
 * HTTP/1.1, origin-form targets; bounded: request line and each header line 8 KiB, all headers 32 KiB, 100 fields.
 */
final class HttpRequestParser {
    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADER_BYTES = 32 * 1024;
    static final int MAX_HEADERS = 100;

    /** A request that gets an error status instead of being served. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private HttpRequestParser() {}

    /** Parses one request head; IOException for EOF or socket errors, {@link BadRequest} for protocol violations. */
    static HttpRequest parse(FrameReader in) throws IOException, BadRequest {
        String requestLine = line(in, MAX_LINE, 414);
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3) {
            throw new BadRequest(400, "malformed request line");
        }
        String method = parts[0];
        String target = parts[1];
        String version = parts[2];
        if (method.isEmpty() || !isToken(method)) {
            throw new BadRequest(400, "malformed method");
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new BadRequest(version.startsWith("HTTP/") ? 505 : 400, "unsupported HTTP version");
        }
        if (!target.startsWith("/") || !isVisibleAscii(target)) {
            throw new BadRequest(400, "request target must be an origin-form path");
        }
        int q = target.indexOf('?');
        String path = q >= 0 ? target.substring(0, q) : target;

        List<HttpRequest.Header> headers = new ArrayList<>();
        int total = 0;
        int hosts = 0;
        while (true) {
            String line = line(in, MAX_LINE, 431);
            if (line.isEmpty()) {
                break;
            }
            total += line.length() + 2;
            if (total > MAX_HEADER_BYTES || headers.size() >= MAX_HEADERS) {
                throw new BadRequest(431, "request header fields too large");
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                throw new BadRequest(400, "obsolete header line folding");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "malformed header field");
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw new BadRequest(400, "malformed header field name");
            }
            String value = line.substring(colon + 1).strip();
            if (!isFieldValue(value)) {
                throw new BadRequest(400, "control character in a header value");
            }
            if (name.equalsIgnoreCase("Host")) {
                hosts++;
            }
            headers.add(new HttpRequest.Header(name, value));
        }
        if (version.equals("HTTP/1.1") && hosts != 1) {
            throw new BadRequest(400, hosts == 0 ? "missing Host header" : "duplicate Host header");
        }
        return new HttpRequest(method, path, version, List.copyOf(headers));
    }

    private static String line(FrameReader in, int max, int statusIfTooLong) throws IOException, BadRequest {
        try {
            return in.readLine(max);
        } catch (ProtocolException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            throw new BadRequest(m.contains("longer than") ? statusIfTooLong : 400, m);
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
