package io.nexodus.core.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Client-side trust: TLS contexts that trust given CA certificates (a self-signed relay's or service's CA, a user's
 * CA bundle), alone or on top of the JDK's default CAs, and whether the JDK's default CAs accept a chain.
 */
public final class TrustBundles {
    private TrustBundles() {}

    /** A TLS context trusting exactly the certificates in the PEM file {@code caBundle}. */
    public static SSLContext trusting(Path caBundle) throws IOException {
        return trusting(Pem.readCertificates(caBundle));
    }

    /** A TLS context trusting exactly {@code cas}. */
    public static SSLContext trusting(Collection<X509Certificate> cas) throws IOException {
        return context(cas);
    }

    /** A TLS context trusting the JDK's default CAs and also {@code extraCas}. */
    public static SSLContext trustingJdkDefaultsAnd(Collection<X509Certificate> extraCas) throws IOException {
        List<X509Certificate> all = new ArrayList<>(jdkDefaultCas());
        all.addAll(extraCas);
        return context(all);
    }

    /** The JDK's default trusted CAs (its {@code cacerts}, or what {@code javax.net.ssl.trustStore} names). */
    public static List<X509Certificate> jdkDefaultCas() throws IOException {
        return List.of(jdkDefaultTrustManager().getAcceptedIssuers());
    }

    /** Whether the JDK's default CAs accept {@code chain} (leaf first) for a TLS server. */
    public static boolean trustedByJdkDefaults(List<X509Certificate> chain) throws IOException {
        String authType = chain.getFirst().getPublicKey().getAlgorithm().equals("RSA") ? "ECDHE_RSA" : "ECDHE_ECDSA";
        try {
            jdkDefaultTrustManager().checkServerTrusted(chain.toArray(X509Certificate[]::new), authType);
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    /** A trust manager trusting exactly {@code cas}. */
    public static X509TrustManager trustManager(Collection<X509Certificate> cas) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : cas) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return x509(tmf.getTrustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store: " + e.getMessage(), e);
        }
    }

    private static SSLContext context(Collection<X509Certificate> cas) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager(cas)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager jdkDefaultTrustManager() throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return x509(tmf.getTrustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the JDK's trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager tm : managers) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK has no X.509 trust manager");
    }
}
