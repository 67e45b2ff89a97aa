package io.nexodus.server.relay;

import io.nexodus.core.tls.CertificateNames;
import io.nexodus.core.tls.Pem;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What relay publishing asks of certificates, on top of core's PEM and name handling: the size limit for a CA bundle
 * an administrator publishes, and the root of a served chain.
 */
final class Certificates {
    /** The largest CA bundle an administrator may publish for a relay. */
    static final int MAX_PEM = 16 * 1024;

    private Certificates() {}

    static boolean isIpLiteral(String host) {
        return CertificateNames.isIpLiteral(host);
    }

    /** The top certificate of a chain when it is a self-signed CA (a root), else null. */
    static X509Certificate rootOf(List<X509Certificate> chain) {
        X509Certificate top = chain.getLast();
        boolean selfIssued = top.getSubjectX500Principal().equals(top.getIssuerX500Principal());
        return selfIssued && top.getBasicConstraints() >= 0 && chain.size() > 1 ? top : null;
    }

    static String toPem(X509Certificate c) {
        return Pem.encode(c);
    }

    /** Parses PEM text holding one or more certificates; throws {@link IllegalArgumentException} with the reason. */
    static List<X509Certificate> parsePem(String pem) {
        if (pem.length() > MAX_PEM) {
            throw new IllegalArgumentException("longer than " + MAX_PEM + " characters");
        }
        try {
            return Pem.parseCertificates(pem);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
