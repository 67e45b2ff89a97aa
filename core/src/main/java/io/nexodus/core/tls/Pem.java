package io.nexodus.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM, the one place certificates and private keys are read and written. Certificates: every {@code CERTIFICATE} block
 * in order (a chain file is leaf first), other blocks and text around them skipped, each decoded by the JDK. Private
 * keys: PKCS#8 ({@code PRIVATE KEY}), SEC1 EC ({@code EC PRIVATE KEY}) and PKCS#1 RSA ({@code RSA PRIVATE KEY}), as
 * openssl and certbot write them; encrypted keys are refused with a hint. Keys are written as PKCS#8, which every TLS
 * stack reads. Files go through {@link SecretFiles} (keys 0600).
 */
public final class Pem {
    private static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    private Pem() {}

    /** Every certificate in the PEM file {@code file}; an {@link IOException} naming the file when there is none. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        try {
            return parseCertificates(text);
        } catch (CertificateException e) {
            throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every certificate in PEM text (from the network or a user: input is not trusted).
     *
     * @throws CertificateException with the reason when the text holds no certificate or one does not decode
     */
    public static List<X509Certificate> parseCertificates(String pem) throws CertificateException {
        if (!pem.contains(BEGIN_CERTIFICATE)) {
            throw new CertificateException("no PEM certificate (" + BEGIN_CERTIFICATE + " missing)");
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        try (PemReader r = new PemReader(new StringReader(pem))) {
            PemObject o;
            while ((o = r.readPemObject()) != null) {
                if (o.getType().equals("CERTIFICATE") || o.getType().equals("X509 CERTIFICATE")) {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(o.getContent())));
                }
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle's base64 decoder throws unchecked exceptions on bad input
            throw new CertificateException("not valid PEM: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new CertificateException("no PEM certificate");
        }
        return out;
    }

    /** The first private key in the PEM file {@code file}; encrypted keys are refused with a clear message. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                PEMParser p = new PEMParser(r)) {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            Object o;
            while ((o = p.readObject()) != null) {
                switch (o) {
                    case PEMKeyPair kp -> {
                        return conv.getPrivateKey(kp.getPrivateKeyInfo());
                    }
                    case PrivateKeyInfo info -> {
                        return conv.getPrivateKey(info);
                    }
                    case PEMEncryptedKeyPair e -> throw encrypted(file);
                    case PKCS8EncryptedPrivateKeyInfo e -> throw encrypted(file);
                    default -> {} // parameters or certificates: keep looking
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read a private key from " + file + ": " + e.getMessage(), e);
        }
        throw new IOException("no PEM private key in " + file);
    }

    /** {@code key} as a PKCS#8 {@code PRIVATE KEY} block. */
    public static String encode(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    /** The certificates as consecutive {@code CERTIFICATE} blocks, in the order given. */
    public static String encode(List<X509Certificate> certificates) {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                b.append(block("CERTIFICATE", c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode the certificate " + c.getSubjectX500Principal(), e);
            }
        }
        return b.toString();
    }

    /** One certificate as a {@code CERTIFICATE} block. */
    public static String encode(X509Certificate certificate) {
        return encode(List.of(certificate));
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static IOException encrypted(Path file) {
        return new IOException(
                file + " holds an encrypted key; decrypt it first (openssl pkey -in KEY -out KEY.plain)");
    }
}
