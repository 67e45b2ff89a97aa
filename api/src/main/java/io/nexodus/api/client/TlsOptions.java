package io.nexodus.api.client;

import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.TrustBundles;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
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
            if (caCertificate != null && !insecureSkipTlsVerify) {
                return TrustBundles.trustingJdkDefaultsAnd(Pem.readCertificates(caCertificate));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (insecureSkipTlsVerify) {
                ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
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
