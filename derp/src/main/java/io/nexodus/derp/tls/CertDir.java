package io.nexodus.derp.tls;

import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.ServerCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The relay's certificate directory ({@code --certdir}), laid out as the derper's: {@code <hostname>.crt} (PEM chain,
 * leaf first) and {@code <hostname>.key} for {@code --certmode manual}; in {@code self-signed} mode also the private
 * CA, {@code ca.crt} and {@code ca.key} (0600), kept and reused, so clients that trust it keep working across restarts
 * and relays sharing the directory share the CA. The server certificate is issued fresh at every start.
 */
public final class CertDir {
    public static final String CA_CERT_FILE = "ca.crt";
    public static final String CA_KEY_FILE = "ca.key";
    /** How long an issued relay certificate is valid. */
    static final Duration ISSUED_VALIDITY = Duration.ofDays(365);

    private final Path dir;

    public CertDir(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** {@code <dir>/<hostname>.crt}. */
    public Path certificateFile(String hostname) {
        return dir.resolve(hostname + ".crt");
    }

    /** {@code <dir>/<hostname>.key}. */
    public Path keyFile(String hostname) {
        return dir.resolve(hostname + ".key");
    }

    /** The certificate and key an administrator put here for {@code hostname} (manual mode). */
    public ServerCertificate read(String hostname) throws IOException {
        Path crt = certificateFile(hostname);
        Path key = keyFile(hostname);
        if (!Files.isReadable(crt) || !Files.isReadable(key)) {
            throw new IOException("certificate mode manual needs " + crt + " and " + key
                    + " (the certificate chain and private key for " + hostname + ", PEM)");
        }
        return new ServerCertificate(Pem.readPrivateKey(key), Pem.readCertificates(crt));
    }

    /** The directory's private CA ({@code ca.crt}, {@code ca.key}), created on first use. */
    public SelfSignedCa selfSignedCa(Clock clock) throws IOException {
        Files.createDirectories(dir);
        return SelfSignedCa.loadOrCreate(
                dir.resolve(CA_CERT_FILE), dir.resolve(CA_KEY_FILE), "Nexodus DERP relay CA", "Nexodus", clock);
    }

    /**
     * Issues a certificate for {@code hostname} (a DNS name or an IP address; valid a year) from {@code ca} and writes
     * it here as {@code <hostname>.crt} and {@code .key}, the files manual mode reads.
     */
    public ServerCertificate issue(SelfSignedCa ca, String hostname) throws IOException {
        ServerCertificate issued = ca.issue(List.of(hostname), ISSUED_VALIDITY);
        SecretFiles.writeSecret(keyFile(hostname), Pem.encode(issued.key()));
        SecretFiles.writePublic(certificateFile(hostname), Pem.encode(issued.chain()));
        return issued;
    }
}
