package io.nexodus.core.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A server certificate chain (leaf first) and its private key, in memory: what {@link SelfSignedCa} issues, and how a
 * program that already has TLS material (the Nexodus service) hands it to the DERP relay ({@code TlsMode.PROVIDED})
 * without writing the key again.
 */
public record ServerCertificate(PrivateKey key, List<X509Certificate> chain) {
    public ServerCertificate {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        return chain.getFirst();
    }
}
