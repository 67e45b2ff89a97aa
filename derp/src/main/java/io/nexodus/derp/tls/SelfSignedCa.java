package io.nexodus.derp.tls;

import java.io.IOException;
import java.math.BigInteger;
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
import java.util.Date;
import java.util.List;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private CA and server certificates made with BouncyCastle, for relays without a public certificate. The CA
 * ({@code ca.crt}, {@code ca.key}) is kept in the certificate directory and reused, so clients that trust it keep
 * working across restarts and several relays sharing the directory share the CA; the server certificate
 * ({@code <hostname>.crt}, {@code .key}) is issued fresh at every start.
 */
public final class SelfSignedCa {
    public static final String CA_CERT_FILE = "ca.crt";
    public static final String CA_KEY_FILE = "ca.key";

    /** The issued server certificate. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate ca, Path caFile) {}

    private final X509Certificate caCert;
    private final PrivateKey caKey;
    private final Path caFile;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private SelfSignedCa(X509Certificate caCert, PrivateKey caKey, Path caFile, Clock clock) {
        this.caCert = caCert;
        this.caKey = caKey;
        this.caFile = caFile;
        this.clock = clock;
    }

    /** Loads the CA from {@code dir}, or creates it there (ECDSA P-256, 10 years). */
    public static SelfSignedCa loadOrCreate(Path dir, Clock clock) throws IOException {
        Path cert = dir.resolve(CA_CERT_FILE);
        Path key = dir.resolve(CA_KEY_FILE);
        if (Files.exists(cert) && Files.exists(key)) {
            return new SelfSignedCa(Pem.readCertificates(cert).getFirst(), Pem.readPrivateKey(key), cert, clock);
        }
        try {
            KeyPair kp = ecKeyPair();
            X500Name name = new X500Name("CN=Nexodus DERP relay CA,O=Nexodus");
            long now = clock.millis();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            name,
                            serial(new SecureRandom()),
                            new Date(now - Duration.ofHours(1).toMillis()),
                            new Date(now + Duration.ofDays(3650).toMillis()),
                            name,
                            kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate ca = sign(b, kp.getPrivate());
            Pem.write(key, Pem.encode(kp.getPrivate()), true);
            Pem.write(cert, Pem.encode(ca), false);
            return new SelfSignedCa(ca, kp.getPrivate(), cert, clock);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    /** The CA's PEM file, for clients to trust. */
    public Path caFile() {
        return caFile;
    }

    /**
     * Issues a server certificate for {@code hostname} (a DNS name or an IP address; valid 1 year) and writes it to
     * {@code dir/<hostname>.crt} and {@code .key}.
     */
    public Issued issue(String hostname, Path dir) throws IOException {
        try {
            KeyPair kp = ecKeyPair();
            long now = clock.millis();
            GeneralName san = isIpLiteral(hostname)
                    ? new GeneralName(GeneralName.iPAddress, hostname)
                    : new GeneralName(GeneralName.dNSName, hostname);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            caCert,
                            serial(random),
                            new Date(now - Duration.ofHours(1).toMillis()),
                            new Date(now + Duration.ofDays(365).toMillis()),
                            new javax.security.auth.x500.X500Principal("CN=" + hostname),
                            kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(b, caKey);
            Pem.write(dir.resolve(hostname + ".key"), Pem.encode(kp.getPrivate()), true);
            Pem.write(dir.resolve(hostname + ".crt"), Pem.encode(cert), false);
            return new Issued(cert, kp.getPrivate(), caCert, caFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot issue a certificate for " + hostname + ": " + e.getMessage(), e);
        }
    }

    /** The CA file's certificates, e.g. for a client trust store. */
    public List<X509Certificate> trustAnchors() {
        return List.of(caCert);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom r) {
        return new BigInteger(127, r).add(BigInteger.ONE);
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }
}
