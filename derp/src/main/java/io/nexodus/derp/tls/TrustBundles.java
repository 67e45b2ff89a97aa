package io.nexodus.derp.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Client TLS contexts that trust given CA certificates (a user's CA bundle, a self-signed relay's CA). */
public final class TrustBundles {
    private TrustBundles() {}

    /** An SSLContext trusting exactly the certificates in the PEM file {@code caBundle}. */
    public static SSLContext trusting(Path caBundle) throws IOException {
        return trusting(Pem.readCertificates(caBundle));
    }

    /** An SSLContext trusting exactly {@code cas}. */
    public static SSLContext trusting(Collection<X509Certificate> cas) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : cas) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store: " + e.getMessage(), e);
        }
    }
}
