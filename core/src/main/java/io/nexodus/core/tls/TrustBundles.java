package io.nexodus.core.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

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

    /**
     * A TLS context trusting the JDK's default CAs and also {@code extraCas}. A chain issued by one of
     * {@code extraCas} is judged by them alone; any other chain by the JDK's defaults, which are read only when the
     * first such chain comes (reading {@code cacerts} costs a CLI call over {@code https://} with its own CA file
     * ~85 ms of start-up, measured on 2 cores).
     */
    public static SSLContext trustingJdkDefaultsAnd(Collection<X509Certificate> extraCas) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    null,
                    new TrustManager[] {
                        new ExtraThenJdkDefaults(extendedTrustManager(extraCas), extraCas, TrustBundles::jdkDefault)
                    },
                    null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
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
        return extendedTrustManager(cas);
    }

    /** As {@link #trustManager}, with the checks that take the connection (host name, algorithm constraints). */
    static X509ExtendedTrustManager extendedTrustManager(Collection<X509Certificate> cas) throws IOException {
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

    private static X509ExtendedTrustManager jdkDefault() throws CertificateException {
        try {
            return jdkDefaultTrustManager();
        } catch (IOException e) {
            throw new CertificateException(e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager jdkDefaultTrustManager() throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return x509(tmf.getTrustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the JDK's trust store: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager tm : managers) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK has no X.509 trust manager");
    }

    /** Where the JDK's default trust manager comes from (read on first use). */
    @FunctionalInterface
    interface DefaultTrust {
        X509ExtendedTrustManager get() throws CertificateException;
    }

    /**
     * Extra CAs first, the JDK's defaults for chains the extra CAs did not issue. Every check keeps the connection
     * (SSLEngine or socket), so the host name is verified as by the JDK's own manager.
     */
    static final class ExtraThenJdkDefaults extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager extra;
        private final Set<X500Principal> extraSubjects;
        private final DefaultTrust defaults;
        private X509ExtendedTrustManager jdk;

        ExtraThenJdkDefaults(
                X509ExtendedTrustManager extra, Collection<X509Certificate> extraCas, DefaultTrust defaults) {
            this.extra = extra;
            this.extraSubjects = extraCas.stream()
                    .map(X509Certificate::getSubjectX500Principal)
                    .collect(Collectors.toUnmodifiableSet());
            this.defaults = defaults;
        }

        /** The manager that judges {@code chain}: the extra CAs' when one of them issued a certificate in it. */
        private X509ExtendedTrustManager judge(X509Certificate[] chain) throws CertificateException {
            for (X509Certificate c : chain) {
                if (extraSubjects.contains(c.getIssuerX500Principal())) {
                    return extra;
                }
            }
            return jdk();
        }

        private synchronized X509ExtendedTrustManager jdk() throws CertificateException {
            if (jdk == null) {
                jdk = defaults.get();
            }
            return jdk;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            judge(chain).checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            judge(chain).checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            judge(chain).checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            judge(chain).checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            judge(chain).checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            judge(chain).checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(List.of(extra.getAcceptedIssuers()));
            try {
                all.addAll(List.of(jdk().getAcceptedIssuers()));
            } catch (CertificateException e) {
                // without the JDK's store only the extra CAs are accepted issuers
            }
            return all.toArray(X509Certificate[]::new);
        }
    }
}
