package io.nexodus.derp.http;

import java.util.List;
import java.util.Optional;

/**
 * A parsed HTTP/1.1 request head (this server never reads request bodies).
 *
 * @param method  the method token, case-sensitive as HTTP says
 * @param path    the path of the origin-form target, without the query
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers header fields in arrival order
 */
record HttpRequest(String method, String path, String version, List<Header> headers) {
    record Header(String name, String value) {}

    /** The first value of {@code name} (case-insensitive). */
    Optional<String> header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }
}
