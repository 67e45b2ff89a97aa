package io.nexodus.core.tls;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which names a server certificate is valid for: its subject alternative names (DNS names, with a left-most
 * {@code *.} wildcard, and IP addresses), compared as TLS clients do. IP addresses are compared in canonical form
 * ({@code ::1} and {@code 0:0:0:0:0:0:0:1} are one address).
 */
public final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private CertificateNames() {}

    /** Whether {@code host} is written as an IP address: it has a ':' (IPv6), or only digits and dots (IPv4). */
    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0
                || (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }

    /** The canonical text of an IP literal (brackets removed, as the JDK writes the address); empty if not one. */
    public static Optional<String> canonicalIp(String literal) {
        try {
            return Optional.of(InetAddress.ofLiteral(literal.replace("[", "").replace("]", ""))
                    .getHostAddress());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The name as a certificate lists it: DNS names lower case, IP addresses canonical (unchanged when not parseable).
     */
    public static String normalize(String name) {
        return isIpLiteral(name) ? canonicalIp(name).orElse(name) : name.toLowerCase(Locale.ROOT);
    }

    /** The certificate's DNS and IP subject alternative names, normalized; empty when it has none. */
    public static Set<String> subjectAltNames(X509Certificate certificate) {
        Set<String> out = new LinkedHashSet<>();
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return out;
        }
        if (sans == null) {
            return out;
        }
        for (List<?> san : sans) {
            Object type = san.get(0);
            if ((Integer.valueOf(SAN_DNS).equals(type)
                            || Integer.valueOf(SAN_IP).equals(type))
                    && san.get(1) instanceof String value) {
                out.add(normalize(value));
            }
        }
        return out;
    }

    /** Whether {@code leaf} is valid for {@code host} (a DNS name or an IP address). */
    public static boolean covers(X509Certificate leaf, String host) {
        String want = normalize(host);
        boolean ip = isIpLiteral(host);
        for (String san : subjectAltNames(leaf)) {
            if (ip ? san.equals(want) : !isIpLiteral(san) && dnsMatches(san, want)) {
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
}
