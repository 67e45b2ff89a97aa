package io.nexodus.core.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server certificate chain (leaf first) and its private key, in memory: what {@link SelfSignedCa} issues, and how a
 * program that already has TLS material (the Nexodus service) hands it to the DERP relay ({@code TlsMode.PROVIDED})
 * without writing the key again. {@link #toString()} never shows the key.
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

    /**
     * A TLS server context that presents this chain for any name the client asks (the JDK's defaults otherwise): for
     * simple servers and tests. The DERP relay uses its own key manager, which also checks SNI.
     */
    public SSLContext serverContext() throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up a TLS server context: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ServerCertificate[" + leaf().getSubjectX500Principal().getName() + ", chain of " + chain.size() + "]";
    }
}
