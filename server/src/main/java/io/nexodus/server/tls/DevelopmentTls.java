package io.nexodus.server.tls;

import io.nexodus.core.tls.CertificateNames;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.ServerCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Development TLS ({@code --tls self-signed}): a local CA (kept in {@code <dir>/ca.pem}, key {@code ca-key.pem}, mode
 * 0600) and a server certificate ({@code server.pem} with the CA appended, key {@code server-key.pem}) for the names and
 * addresses the service answers on. The CA survives restarts, so clients trust it once; the server certificate is
 * re-issued when names change, when it has less than 30 days left, or when another CA signed it.
 */
public final class DevelopmentTls {
    private static final Duration CERT_VALIDITY = Duration.ofDays(397);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private DevelopmentTls() {}

    public static TlsMaterial ensure(Path dir, Collection<String> names, Clock clock) throws IOException {
        Path caPem = dir.resolve("ca.pem");
        Path certPem = dir.resolve("server.pem");
        Path keyPem = dir.resolve("server-key.pem");
        // a random suffix: CAs made in different data directories are told apart by name too
        String caName = "Nexodus development CA " + Long.toHexString(new SecureRandom().nextLong());
        SelfSignedCa ca = SelfSignedCa.loadOrCreate(caPem, dir.resolve("ca-key.pem"), caName, null, clock);
        Set<String> want = new LinkedHashSet<>();
        for (String n : names) {
            want.add(CertificateNames.normalize(n));
        }
        if (Files.exists(certPem) && Files.exists(keyPem)) {
            X509Certificate cur = Pem.readCertificates(certPem).getFirst();
            if (CertificateNames.subjectAltNames(cur).containsAll(want)
                    && cur.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE))
                    && ca.signed(cur)) {
                return new TlsMaterial(Pem.readPrivateKey(keyPem), List.of(cur, ca.certificate()), caPem);
            }
        }
        List<String> ordered = new ArrayList<>(want);
        // the first name becomes the common name: prefer a DNS name
        ordered.sort((a, b) -> Boolean.compare(CertificateNames.isIpLiteral(a), CertificateNames.isIpLiteral(b)));
        ServerCertificate issued = ca.issue(ordered, CERT_VALIDITY);
        List<X509Certificate> chain = List.of(issued.leaf(), ca.certificate());
        SecretFiles.writeSecret(keyPem, Pem.encode(issued.key()));
        SecretFiles.writePublic(certPem, Pem.encode(chain));
        return new TlsMaterial(issued.key(), chain, caPem);
    }
}
