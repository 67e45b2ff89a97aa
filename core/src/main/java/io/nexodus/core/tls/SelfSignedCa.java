package io.nexodus.core.tls;

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
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
 * A private certificate authority for development and for relays without a public certificate: an ECDSA P-256 CA,
 * kept in two PEM files (the certificate, and its key with mode 0600) and reused, so clients that trust it once keep
 * working across restarts; it issues ECDSA P-256 server certificates for DNS names and IP addresses. Used by the
 * service ({@code --tls self-signed}) and the DERP relay ({@code --certmode self-signed}), each with its own files.
 */
public final class SelfSignedCa {
    /** How long a new CA is valid. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** How far back validity starts, so clocks a little behind ours accept a fresh certificate. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path certificateFile;
    private final Clock clock;
    private final SecureRandom random;

    private SelfSignedCa(
            X509Certificate certificate, PrivateKey key, Path certificateFile, Clock clock, SecureRandom random) {
        this.certificate = certificate;
        this.key = key;
        this.certificateFile = certificateFile;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Loads the CA from {@code certificateFile} and {@code keyFile}, or creates it there when either is missing, with
     * the subject {@code CN=commonName}{@code ,O=organization} (organization may be null).
     */
    public static SelfSignedCa loadOrCreate(
            Path certificateFile, Path keyFile, String commonName, String organization, Clock clock)
            throws IOException {
        SecureRandom random = new SecureRandom();
        if (Files.exists(certificateFile) && Files.exists(keyFile)) {
            return new SelfSignedCa(
                    Pem.readCertificates(certificateFile).getFirst(),
                    Pem.readPrivateKey(keyFile),
                    certificateFile,
                    clock,
                    random);
        }
        try {
            KeyPair kp = ecKeyPair(random);
            X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
            if (organization != null) {
                name.addRDN(BCStyle.O, organization);
            }
            X500Name subject = name.build();
            Instant now = clock.instant();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            subject,
                            serial(random),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(CA_VALIDITY)),
                            subject,
                            kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate ca = sign(b, kp.getPrivate());
            SecretFiles.writeSecret(keyFile, Pem.encode(kp.getPrivate()));
            SecretFiles.writePublic(certificateFile, Pem.encode(ca));
            return new SelfSignedCa(ca, kp.getPrivate(), certificateFile, clock, random);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a CA in " + certificateFile + ": " + e.getMessage(), e);
        }
    }

    /** The CA certificate, for clients to trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The PEM file holding the CA certificate, for clients to trust. */
    public Path certificateFile() {
        return certificateFile;
    }

    /** Whether this CA signed {@code cert}. */
    public boolean signed(X509Certificate cert) {
        if (!cert.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Issues a server certificate (TLS server authentication) for {@code names}: DNS names and IP addresses, the first
     * one also the subject's common name. Valid from an hour ago for {@code validity}. The chain holds the leaf only;
     * nothing is written to disk.
     */
    public ServerCertificate issue(List<String> names, Duration validity) throws IOException {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        try {
            KeyPair kp = ecKeyPair(random);
            GeneralName[] sans = names.stream()
                    .map(n -> CertificateNames.isIpLiteral(n)
                            ? new GeneralName(GeneralName.iPAddress, n)
                            : new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            Instant now = clock.instant();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(random),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(validity)),
                            new X500NameBuilder(BCStyle.INSTANCE)
                                    .addRDN(BCStyle.CN, names.getFirst())
                                    .build(),
                            kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new ServerCertificate(kp.getPrivate(), List.of(sign(b, key)));
        } catch (GeneralSecurityException | OperatorCreationException | IllegalArgumentException e) {
            throw new IOException("cannot issue a certificate for " + names + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    /** A positive 127-bit random serial number (RFC 5280: at most 20 octets, unique per CA). */
    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
