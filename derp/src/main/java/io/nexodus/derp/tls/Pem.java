package io.nexodus.derp.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM certificates and private keys (PKCS#8, SEC1 EC and PKCS#1 RSA keys, as openssl and certbot write them). */
public final class Pem {
    private Pem() {}

    /** Every certificate in a PEM file, in order (leaf first for a chain file). */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException("no PEM certificate in " + file);
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The first private key in a PEM file; encrypted keys are refused with a clear message. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
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
                    case PEMEncryptedKeyPair e ->
                        throw new IOException(file + " holds an encrypted key; "
                                + "decrypt it first (openssl pkey -in KEY -out KEY.plain)");
                    case PKCS8EncryptedPrivateKeyInfo e ->
                        throw new IOException(file + " holds an encrypted key; "
                                + "decrypt it first (openssl pkey -in KEY -out KEY.plain)");
                    default -> {} // parameters or certificates: keep looking
                }
            }
        }
        throw new IOException("no PEM private key in " + file);
    }

    /** PEM text of certificates, or of private keys as PKCS#8 ({@code PRIVATE KEY}). */
    public static String encode(Object... objects) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey k) {
                    w.writeObject(new PemObject("PRIVATE KEY", k.getEncoded()));
                } else {
                    w.writeObject(o);
                }
            }
        }
        return sw.toString();
    }

    /** Writes {@code text} atomically; {@code secret} files get mode 0600. */
    public static void write(Path file, String text, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = secret
                ? Files.createTempFile(
                        dir,
                        ".pem",
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".pem", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
