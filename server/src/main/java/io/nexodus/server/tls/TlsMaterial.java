package io.nexodus.server.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** The server's key and certificate chain; {@code caFile} is the CA clients should trust (self-signed mode), else null. */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, Path caFile) {}
