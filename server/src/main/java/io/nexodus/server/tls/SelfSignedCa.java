package io.nexodus.server.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Development TLS ({@code --tls self-signed}): a local CA (kept in {@code <dir>/ca.pem}, key {@code ca-key.pem}, mode
 * 0600) and a server certificate for the names and addresses the service answers on. The CA survives restarts, so
 * clients trust it once; the server certificate is re-issued when names change or it nears expiry.
 */
public final class SelfSignedCa {
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration CERT_VALIDITY = Duration.ofDays(397);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCa() {}

    public static TlsMaterial ensure(Path dir, Collection<String> names, Clock clock) throws IOException {
        try {
            Path caPem = dir.resolve("ca.pem"), caKeyPem = dir.resolve("ca-key.pem");
            Path certPem = dir.resolve("server.pem"), keyPem = dir.resolve("server-key.pem");
            X509Certificate ca;
            PrivateKey caKey;
            if (Files.exists(caPem) && Files.exists(caKeyPem)) {
                ca = PemFiles.readCertificates(caPem).get(0);
                caKey = PemFiles.readPrivateKey(caKeyPem);
            } else {
                KeyPair kp = ecKeyPair();
                ca = caCertificate(kp, clock.instant());
                caKey = kp.getPrivate();
                PemFiles.write(caKeyPem, PemFiles.toPem(caKey), true);
                PemFiles.write(caPem, PemFiles.toPem(ca), false);
            }
            Set<String> want = new LinkedHashSet<>();
            for (String n : names) {
                want.add(isIp(n) ? canonicalIp(n) : n.toLowerCase(java.util.Locale.ROOT));
            }
            if (Files.exists(certPem) && Files.exists(keyPem)) {
                X509Certificate cur = PemFiles.readCertificates(certPem).get(0);
                if (sans(cur).containsAll(want)
                        && cur.getNotAfter().toInstant().isAfter(clock.instant().plus(Duration.ofDays(30)))
                        && cur.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
                    return new TlsMaterial(PemFiles.readPrivateKey(keyPem), List.of(cur, ca), caPem);
                }
            }
            KeyPair kp = ecKeyPair();
            X509Certificate cert = serverCertificate(kp, want, ca, caKey, clock.instant());
            PemFiles.write(keyPem, PemFiles.toPem(kp.getPrivate()), true);
            PemFiles.write(certPem, PemFiles.toPem(cert, ca), false);
            return new TlsMaterial(kp.getPrivate(), List.of(cert, ca), caPem);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create the self-signed certificates: " + e.getMessage(), e);
        }
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate caCertificate(KeyPair kp, Instant now)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name name = new X500Name("CN=Nexodus development CA " + Long.toHexString(RANDOM.nextLong()));
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                name,
                serial(),
                Date.from(now.minusSeconds(300)),
                Date.from(now.plus(CA_VALIDITY)),
                name,
                kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        return sign(b, kp.getPrivate());
    }

    private static X509Certificate serverCertificate(
            KeyPair kp, Set<String> names, X509Certificate ca, PrivateKey caKey, Instant now)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name subject = new X500Name(
                "CN=" + names.stream().filter(n -> !n.contains(":")).findFirst().orElse("nexodus"));
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                ca,
                serial(),
                Date.from(now.minusSeconds(300)),
                Date.from(now.plus(CERT_VALIDITY)),
                subject,
                kp.getPublic());
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            sans.add(isIp(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return sign(b, caKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(s));
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9a-fA-F:.]+"));
    }

    static Set<String> sans(X509Certificate c) throws GeneralSecurityException {
        Set<String> out = new LinkedHashSet<>();
        var alt = c.getSubjectAlternativeNames();
        if (alt == null) {
            return out;
        }
        for (List<?> e : alt) {
            Object v = e.get(1);
            if (v instanceof String s) {
                out.add(isIp(s) ? canonicalIp(s) : s);
            }
        }
        return out;
    }

    static String canonicalIp(String s) {
        try {
            return InetAddress.getByName(s).getHostAddress();
        } catch (IOException e) {
            return s;
        }
    }
}
