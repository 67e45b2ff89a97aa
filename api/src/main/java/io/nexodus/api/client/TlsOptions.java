package io.nexodus.api.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a client trusts the service's TLS certificate: the JDK's default trust store, plus an optional CA file
 * (PEM, e.g. the one {@code nexodus serve --tls self-signed} writes), or nothing at all
 * ({@code --insecure-skip-tls-verify}: no certificate or host name check; for development only).
 */
public record TlsOptions(Path caCertificate, boolean insecureSkipTlsVerify) {
    public static final TlsOptions DEFAULT = new TlsOptions(null, false);

    public static TlsOptions trusting(Path caPem) {
        return new TlsOptions(caPem, false);
    }

    public static TlsOptions insecure() {
        return new TlsOptions(null, true);
    }

    /** An SSL context implementing these options. */
    public SSLContext sslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (insecureSkipTlsVerify) {
                ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            } else if (caCertificate != null) {
                ctx.init(null, trustManagers(caCertificate), new SecureRandom());
            } else {
                ctx.init(null, null, null);
            }
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "cannot set up TLS" + (caCertificate == null ? "" : " with CA file " + caCertificate) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Trusts the certificates in {@code caPem} in addition to the JDK's default CAs. */
    private static TrustManager[] trustManagers(Path caPem) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        int i = 0;
        for (TrustManager tm : defaults.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    ks.setCertificateEntry("default-" + i++, c);
                }
            }
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caPem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + caPem);
        }
        int j = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca-" + j++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    /** Accepts any certificate for any host name. An extended trust manager, so the JDK does no host name check. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
