package io.nexodus.server.http;

/** A non-JSON body (HTML page, Prometheus text). */
public record RawReply(int status, String contentType, byte[] body) {}
