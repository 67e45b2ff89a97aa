package io.nexodus.nexctl.auth;

import java.net.URI;
import java.nio.file.Path;

/**
 * The global options that decide how nexctl talks to the service.
 *
 * @param serviceUrl the service, {@code http(s)://host[:port]}
 * @param username   one-shot login (no cache) when set
 * @param password   its password (prompted for on a terminal when missing)
 * @param caCert     a PEM CA file to trust in addition to the system's
 * @param insecure   skip TLS certificate checks
 * @param debug      explain what happens on stderr, with stack traces on errors
 */
public record Settings(
        URI serviceUrl, String username, String password, Path caCert, boolean insecure, boolean debug) {}
