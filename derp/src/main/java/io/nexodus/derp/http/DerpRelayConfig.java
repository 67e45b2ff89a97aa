package io.nexodus.derp.http;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.tls.ServerCertificate;
import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.server.ClientVerifier;
import io.nexodus.derp.server.DeliveryPolicy;
import io.nexodus.derp.server.DerpServerConfig;
import io.nexodus.derp.server.MeshPeer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Everything a {@link DerpRelayServer} needs (what {@code nexd relayderp} flags map onto). Build with
 * {@link #builder()}.
 *
 * @param bindAddress           where to listen ({@code --addr}; port 0 picks a free port)
 * @param tlsMode               {@code --certmode}
 * @param certDir               {@code --certdir}: manual certificates, or where self-signed mode keeps its CA
 * @param certificate           the certificate and key for {@link TlsMode#PROVIDED}
 * @param hostname              {@code --hostname}: the certificate name; clients' SNI must match it
 * @param privateKeyFile        {@code -c}: the key file, created on first run; empty = {@link #privateKey} or a new key
 * @param privateKey            a key given directly (tests, the service); used only without a key file
 * @param meshKey               {@code --mesh-key}
 * @param meshPeers             {@code --mesh-with}
 * @param meshSslContext        trust for mesh peers; empty = the self-signed CA in that mode, else the JDK default
 * @param acceptConnectionLimit {@code --accept-connection-limit}: new connections per second (infinite = off)
 * @param acceptConnectionBurst {@code --accept-connection-burst}
 * @param httpTimeout           TLS handshake + HTTP request must complete within this (slowloris guard; 30 s)
 * @param metaCert              append the DERP meta certificate (fast start for TLS 1.3 clients)
 * @param sendQueueDepth        per-connection packet queue (packets; default 256)
 * @param sendQueueBytes        per-connection packet queue (bytes; default 512 KiB)
 * @param writeTimeout          per-write timeout to clients
 * @param handshakeTimeout      DERP key exchange timeout
 * @param keepAliveInterval     keepalive period
 * @param verifier              client admission
 * @param deliveryPolicy        which admitted client may send to which (per packet)
 * @param clock                 time
 */
public record DerpRelayConfig(
        InetSocketAddress bindAddress,
        TlsMode tlsMode,
        Optional<Path> certDir,
        Optional<ServerCertificate> certificate,
        String hostname,
        Optional<Path> privateKeyFile,
        Optional<NodePrivateKey> privateKey,
        Optional<MeshKey> meshKey,
        List<MeshPeer> meshPeers,
        Optional<SSLContext> meshSslContext,
        double acceptConnectionLimit,
        int acceptConnectionBurst,
        Duration httpTimeout,
        boolean metaCert,
        int sendQueueDepth,
        int sendQueueBytes,
        Duration writeTimeout,
        Duration handshakeTimeout,
        Duration keepAliveInterval,
        ClientVerifier verifier,
        DeliveryPolicy deliveryPolicy,
        Clock clock) {

    public DerpRelayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(tlsMode, "tlsMode");
        Objects.requireNonNull(hostname, "hostname");
        meshPeers = List.copyOf(meshPeers);
        if ((tlsMode == TlsMode.MANUAL || tlsMode == TlsMode.SELF_SIGNED) && certDir.isEmpty()) {
            throw new IllegalArgumentException("certificate mode "
                    + tlsMode.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " needs a certificate directory (--certdir)");
        }
        if ((tlsMode == TlsMode.PROVIDED) != certificate.isPresent()) {
            throw new IllegalArgumentException(
                    tlsMode == TlsMode.PROVIDED
                            ? "TLS mode provided needs a certificate"
                            : "a certificate is only used in TLS mode provided");
        }
        if (!(acceptConnectionLimit > 0)) {
            throw new IllegalArgumentException("accept connection limit must be positive (or infinite)");
        }
        if (acceptConnectionBurst < 1) {
            throw new IllegalArgumentException("accept connection burst must be at least 1");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private InetSocketAddress bindAddress = new InetSocketAddress(443);
        private TlsMode tlsMode = TlsMode.NONE;
        private Optional<Path> certDir = Optional.empty();
        private Optional<ServerCertificate> certificate = Optional.empty();
        private String hostname = "localhost";
        private Optional<Path> privateKeyFile = Optional.empty();
        private Optional<NodePrivateKey> privateKey = Optional.empty();
        private Optional<MeshKey> meshKey = Optional.empty();
        private List<MeshPeer> meshPeers = List.of();
        private Optional<SSLContext> meshSslContext = Optional.empty();
        private double acceptConnectionLimit = Double.POSITIVE_INFINITY;
        private int acceptConnectionBurst = Integer.MAX_VALUE;
        private Duration httpTimeout = Duration.ofSeconds(30);
        private boolean metaCert = true;
        private int sendQueueDepth = DerpServerConfig.DEFAULT_SEND_QUEUE_DEPTH;
        private int sendQueueBytes = DerpServerConfig.DEFAULT_SEND_QUEUE_BYTES;
        private Duration writeTimeout = Duration.ofSeconds(2);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration keepAliveInterval = Duration.ofSeconds(60);
        private ClientVerifier verifier = ClientVerifier.ALLOW_ALL;
        private DeliveryPolicy deliveryPolicy = DeliveryPolicy.ALLOW_ALL;
        private Clock clock = Clock.systemUTC();

        public Builder bindAddress(InetSocketAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder tlsMode(TlsMode v) {
            tlsMode = v;
            return this;
        }

        public Builder certDir(Path v) {
            certDir = Optional.ofNullable(v);
            return this;
        }

        /** Serves this certificate ({@link TlsMode#PROVIDED}; sets that mode). */
        public Builder certificate(ServerCertificate v) {
            certificate = Optional.ofNullable(v);
            if (v != null) {
                tlsMode = TlsMode.PROVIDED;
            }
            return this;
        }

        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        public Builder privateKeyFile(Path v) {
            privateKeyFile = Optional.ofNullable(v);
            return this;
        }

        public Builder privateKey(NodePrivateKey v) {
            privateKey = Optional.ofNullable(v);
            return this;
        }

        public Builder meshKey(MeshKey v) {
            meshKey = Optional.ofNullable(v);
            return this;
        }

        public Builder meshPeers(List<MeshPeer> v) {
            meshPeers = v;
            return this;
        }

        public Builder meshSslContext(SSLContext v) {
            meshSslContext = Optional.ofNullable(v);
            return this;
        }

        public Builder acceptConnectionLimit(double perSecond, int burst) {
            acceptConnectionLimit = perSecond;
            acceptConnectionBurst = burst;
            return this;
        }

        public Builder httpTimeout(Duration v) {
            httpTimeout = v;
            return this;
        }

        public Builder metaCert(boolean v) {
            metaCert = v;
            return this;
        }

        public Builder sendQueueDepth(int v) {
            sendQueueDepth = v;
            return this;
        }

        public Builder sendQueueBytes(int v) {
            sendQueueBytes = v;
            return this;
        }

        public Builder writeTimeout(Duration v) {
            writeTimeout = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = v;
            return this;
        }

        public Builder keepAliveInterval(Duration v) {
            keepAliveInterval = v;
            return this;
        }

        public Builder verifier(ClientVerifier v) {
            verifier = v;
            return this;
        }

        public Builder deliveryPolicy(DeliveryPolicy v) {
            deliveryPolicy = v;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public DerpRelayConfig build() {
            return new DerpRelayConfig(
                    bindAddress,
                    tlsMode,
                    certDir,
                    certificate,
                    hostname,
                    privateKeyFile,
                    privateKey,
                    meshKey,
                    meshPeers,
                    meshSslContext,
                    acceptConnectionLimit,
                    acceptConnectionBurst,
                    httpTimeout,
                    metaCert,
                    sendQueueDepth,
                    sendQueueBytes,
                    writeTimeout,
                    handshakeTimeout,
                    keepAliveInterval,
                    verifier,
                    deliveryPolicy,
                    clock);
        }
    }
}
