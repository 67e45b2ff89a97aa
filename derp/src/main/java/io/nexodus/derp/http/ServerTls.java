package io.nexodus.derp.http;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.CertificateNames;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.ServerCertificate;
import io.nexodus.derp.tls.CertDir;
import io.nexodus.derp.tls.MetaCert;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The relay's TLS server side: certificate by mode, TLS 1.2+, ALPN {@code http/1.1} only, SNI must equal the hostname
 * (unless the hostname is an IP address, as upstream), and the DERP meta certificate appended to the served chain.
 */
final class ServerTls {
    private final SSLContext context;
    private final String hostname;
    private final Optional<Path> caFile;

    private ServerTls(SSLContext context, String hostname, Optional<Path> caFile) {
        this.context = context;
        this.hostname = hostname;
        this.caFile = caFile;
    }

    /** Loads or makes the certificate for {@code mode}; refuses letsencrypt with an explanation. */
    static ServerTls create(
            TlsMode mode,
            Optional<Path> certDirOption,
            Optional<ServerCertificate> given,
            String hostname,
            NodePublicKey serverKey,
            boolean metaCert,
            Clock clock)
            throws IOException {
        if (!isValidHostname(hostname)) {
            throw new IllegalArgumentException("'" + hostname + "' is not a valid hostname for a certificate");
        }
        ServerCertificate certificate;
        Optional<Path> ca = Optional.empty();
        switch (mode) {
            case PROVIDED -> certificate = given.orElseThrow();
            case MANUAL -> certificate = new CertDir(certDirOption.orElseThrow()).read(hostname);
            case SELF_SIGNED -> {
                CertDir certDir = new CertDir(certDirOption.orElseThrow());
                SelfSignedCa authority = certDir.selfSignedCa(clock);
                certificate = certDir.issue(authority, hostname);
                ca = Optional.of(authority.certificateFile());
            }
            case LETSENCRYPT ->
                throw new IllegalArgumentException("certificate mode letsencrypt is not available: "
                        + "it needs the Let's Encrypt ACME service on the internet and port 80 reachable from it. "
                        + "Use --certmode manual with your own certificate in the cert dir (<hostname>.crt/.key), "
                        + "or --certmode self-signed and give clients the generated ca.crt");
            case NONE -> throw new IllegalArgumentException("no TLS in mode none");
            default -> throw new IllegalStateException();
        }
        List<X509Certificate> chain = certificate.chain();
        PrivateKey key = certificate.key();
        List<X509Certificate> served = new ArrayList<>(chain);
        if (metaCert) {
            try {
                served.add(MetaCert.create(serverKey, clock));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot create the DERP meta certificate: " + e.getMessage(), e);
            }
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    new KeyManager[] {new SniKeyManager(hostname, key, served.toArray(X509Certificate[]::new))},
                    null,
                    null);
            return new ServerTls(ctx, hostname, ca);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The CA file clients should trust (self-signed mode). */
    Optional<Path> caFile() {
        return caFile;
    }

    /** A server-side engine: TLS 1.3/1.2, ALPN http/1.1 only, SNI matcher for the hostname. */
    SSLEngine newEngine() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        p.setApplicationProtocols(new String[] {"http/1.1"});
        if (!CertificateNames.isIpLiteral(hostname)) {
            p.setSNIMatchers(List.of(SNIHostName.createSNIMatcher("(?i)" + Pattern.quote(hostname))));
        }
        p.setNeedClientAuth(false);
        e.setSSLParameters(p);
        return e;
    }

    private static boolean isValidHostname(String h) {
        return !h.isEmpty()
                && h.length() <= 253
                && h.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_')
                && !h.contains("/")
                && !h.contains("..");
    }

    /** Serves the one certificate, and only when the client asked for our hostname by SNI. */
    private static final class SniKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "derp";
        private final String hostname;
        private final PrivateKey key;
        private final X509Certificate[] chain;

        SniKeyManager(String hostname, PrivateKey key, X509Certificate[] chain) {
            this.hostname = hostname.toLowerCase(Locale.ROOT);
            this.key = key;
            this.chain = chain;
        }

        private boolean keyTypeMatches(String keyType) {
            String alg = key.getAlgorithm();
            return keyType.equalsIgnoreCase(alg)
                    || (alg.equals("RSA") && keyType.equalsIgnoreCase("RSASSA-PSS"))
                    || (alg.equals("EC") && keyType.startsWith("EC"));
        }

        private boolean sniMatches(SSLSession handshake) {
            if (CertificateNames.isIpLiteral(hostname)) {
                return true;
            }
            if (!(handshake instanceof ExtendedSSLSession ext)) {
                return false;
            }
            for (SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof SNIHostName h && h.getAsciiName().equalsIgnoreCase(hostname)) {
                    return true;
                }
            }
            return false; // no SNI, or another name: upstream's GetCertificate refuses it too
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            if (!keyTypeMatches(keyType)) {
                return null;
            }
            return socket instanceof SSLSocket s && sniMatches(s.getHandshakeSession()) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            if (!keyTypeMatches(keyType)) {
                return null;
            }
            return engine != null && sniMatches(engine.getHandshakeSession()) ? ALIAS : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keyTypeMatches(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
