package io.nexodus.server.relay;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Certificate facts the relay publishing needs: name coverage, default trust, PEM text. */
final class Certificates {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    /** The largest CA bundle an administrator may publish for a relay. */
    static final int MAX_PEM = 16 * 1024;

    private Certificates() {}

    /** Whether {@code leaf} is valid for {@code host} (a DNS name, with a left-most wildcard, or an IP address). */
    static boolean covers(X509Certificate leaf, String host) {
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        boolean ip = isIpLiteral(host);
        String wantIp = ip ? canonicalIp(host) : null;
        String name = host.toLowerCase(Locale.ROOT);
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (ip && type == SAN_IP && wantIp != null && wantIp.equals(canonicalIp(value))) {
                return true;
            }
            if (!ip && type == SAN_DNS && dnsMatches(value.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String pattern, String name) {
        if (pattern.startsWith("*.")) {
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(name);
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0
                || (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
    }

    private static String canonicalIp(String literal) {
        try {
            return InetAddress.ofLiteral(literal.replace("[", "").replace("]", ""))
                    .getHostAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the JDK's default trust store (the public CAs) accepts {@code chain} for a TLS server. */
    static boolean trustedByDefault(List<X509Certificate> chain) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            String authType =
                    chain.getFirst().getPublicKey().getAlgorithm().equals("RSA") ? "ECDHE_RSA" : "ECDHE_ECDSA";
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    x.checkServerTrusted(chain.toArray(X509Certificate[]::new), authType);
                    return true;
                }
            }
            return false;
        } catch (CertificateException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default trust manager", e);
        }
    }

    /** The top certificate of a chain when it is a self-signed CA (a root), else null. */
    static X509Certificate rootOf(List<X509Certificate> chain) {
        X509Certificate top = chain.getLast();
        boolean selfIssued = top.getSubjectX500Principal().equals(top.getIssuerX500Principal());
        return selfIssued && top.getBasicConstraints() >= 0 && chain.size() > 1 ? top : null;
    }

    static String toPem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }

    /** Parses PEM text holding one or more certificates; throws {@link IllegalArgumentException} with the reason. */
    static List<X509Certificate> parsePem(String pem) {
        if (pem.length() > MAX_PEM) {
            throw new IllegalArgumentException("longer than " + MAX_PEM + " characters");
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("not a PEM certificate (-----BEGIN CERTIFICATE----- missing)");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the PEM text");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a valid PEM certificate: " + e.getMessage());
        }
    }
}
