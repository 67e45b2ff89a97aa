package io.nexodus.derp.tls;

import io.nexodus.core.key.NodePublicKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The DERP "meta certificate" (Tailscale issue #693): a self-signed Ed25519 certificate with subject
 * {@code CN=derpkey<64 hex server key>} and serial = protocol version 2, appended to the end of the served TLS chain.
 * A client that finds it (TLS 1.3) knows the server's DERP key before any HTTP and can send ClientInfo straight after
 * its request ({@code Derp-Fast-Start: 1}), saving a round trip.
 */
public final class MetaCert {
    static final String CN_PREFIX = "derpkey";
    private static final int PROTOCOL_VERSION = 2;

    private MetaCert() {}

    public static X509Certificate create(NodePublicKey serverKey, Clock clock) throws GeneralSecurityException {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        // Built directly: the CN (71 characters) is longer than RFC 5280's 64, which Go does not enforce.
        X500Name name =
                new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERPrintableString(CN_PREFIX + serverKey.toHex()))});
        Instant now = clock.instant();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(PROTOCOL_VERSION),
                Date.from(now.minus(Duration.ofDays(30))),
                Date.from(now.plus(Duration.ofDays(30))),
                name,
                kp.getPublic());
        try {
            b.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("Ed25519").build(kp.getPrivate())));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot build the DERP meta certificate", e);
        }
    }

    /** The server key from a meta certificate in {@code chain}, as Go's {@code parseMetaCert} finds it. */
    public static Optional<NodePublicKey> find(Certificate[] chain) {
        for (Certificate c : chain) {
            if (!(c instanceof X509Certificate x) || x.getSerialNumber().bitLength() > 8) {
                continue;
            }
            String cn = commonName(x);
            if (cn != null && cn.startsWith(CN_PREFIX)) {
                try {
                    return Optional.of(NodePublicKey.fromHex(cn.substring(CN_PREFIX.length())));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static String commonName(X509Certificate x) {
        try {
            for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
