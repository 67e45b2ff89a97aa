package io.nexodus.derp.server;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.crypto.MeshKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Settings of the DERP protocol server (everything below HTTP). Build with {@link #builder(NodePrivateKey)}.
 *
 * @param privateKey        the server's node key (its public half is sent in ServerKey)
 * @param meshKey           the mesh pre-shared key; without it no client gets mesh privileges
 * @param meshPeers         other servers of the region to mesh with (each is dialled with this server's key)
 * @param meshSslContext    trust for dialling mesh peers over TLS; empty means the JDK default trust
 * @param sendQueueDepth    packets queued per destination connection before the oldest is dropped (Tailscale: 32;
 *                          default here 256, see {@link #DEFAULT_SEND_QUEUE_DEPTH})
 * @param sendQueueBytes    packet bytes queued per destination connection before the oldest is dropped (bounds the
 *                          memory a slow or stalled receiver can pin: 32 x 64 KiB packets was 2 MiB per connection)
 * @param writeTimeout      a write to a client taking longer closes it (Tailscale: 2 s)
 * @param meshWriteTimeout  the same for mesh peers (Tailscale: 30 s)
 * @param handshakeTimeout  time allowed from ServerKey to a valid ClientInfo (Tailscale: 10 s)
 * @param keepAliveInterval how often a KeepAlive is sent; each connection adds a fixed random jitter in [0, 5 s)
 * @param verifier          admission check for proven keys
 * @param deliveryPolicy    which admitted client may send to which (per packet)
 * @param clock             time source for keepalives, timeouts and rate limits
 */
public record DerpServerConfig(
        NodePrivateKey privateKey,
        Optional<MeshKey> meshKey,
        List<MeshPeer> meshPeers,
        Optional<SSLContext> meshSslContext,
        int sendQueueDepth,
        int sendQueueBytes,
        Duration writeTimeout,
        Duration meshWriteTimeout,
        Duration handshakeTimeout,
        Duration keepAliveInterval,
        ClientVerifier verifier,
        DeliveryPolicy deliveryPolicy,
        Clock clock) {

    public DerpServerConfig {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(meshKey, "meshKey");
        meshPeers = List.copyOf(meshPeers);
        Objects.requireNonNull(meshSslContext, "meshSslContext");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(deliveryPolicy, "deliveryPolicy");
        Objects.requireNonNull(clock, "clock");
        if (sendQueueDepth < 1) {
            throw new IllegalArgumentException("sendQueueDepth must be at least 1");
        }
        if (sendQueueBytes < 65536) {
            throw new IllegalArgumentException("sendQueueBytes must be at least 64 KiB (one packet)");
        }
        if (!meshPeers.isEmpty() && meshKey.isEmpty()) {
            throw new IllegalArgumentException("mesh peers need a mesh key");
        }
        for (Duration d : List.of(writeTimeout, meshWriteTimeout, handshakeTimeout, keepAliveInterval)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts and intervals must be positive");
            }
        }
    }

    /**
     * Packets per destination queue. Tailscale's 32 drops packets of a single TCP-over-WireGuard flow at every burst
     * (a 64 KiB TSO/GSO send is ~45 datagrams): 19 % of a bulk flow was dropped at 32 in
     * {@code bench/scripts/derp-throughput.sh}, none at 256.
     */
    public static final int DEFAULT_SEND_QUEUE_DEPTH = 256;
    /** Bytes per destination queue: 512 KiB, ~360 full-size WireGuard packets, ~4 ms at 1 Gbit/s. */
    public static final int DEFAULT_SEND_QUEUE_BYTES = 512 * 1024;

    public static Builder builder(NodePrivateKey privateKey) {
        return new Builder(privateKey);
    }

    /** A builder with Tailscale's defaults (except the queue, see {@link #DEFAULT_SEND_QUEUE_DEPTH}). */
    public static final class Builder {
        private final NodePrivateKey privateKey;
        private Optional<MeshKey> meshKey = Optional.empty();
        private List<MeshPeer> meshPeers = List.of();
        private Optional<SSLContext> meshSslContext = Optional.empty();
        private int sendQueueDepth = DEFAULT_SEND_QUEUE_DEPTH;
        private int sendQueueBytes = DEFAULT_SEND_QUEUE_BYTES;
        private Duration writeTimeout = Duration.ofSeconds(2);
        private Duration meshWriteTimeout = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration keepAliveInterval = Duration.ofSeconds(60);
        private ClientVerifier verifier = ClientVerifier.ALLOW_ALL;
        private DeliveryPolicy deliveryPolicy = DeliveryPolicy.ALLOW_ALL;
        private Clock clock = Clock.systemUTC();

        private Builder(NodePrivateKey privateKey) {
            this.privateKey = privateKey;
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

        public Builder meshWriteTimeout(Duration v) {
            meshWriteTimeout = v;
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

        public DerpServerConfig build() {
            return new DerpServerConfig(
                    privateKey,
                    meshKey,
                    meshPeers,
                    meshSslContext,
                    sendQueueDepth,
                    sendQueueBytes,
                    writeTimeout,
                    meshWriteTimeout,
                    handshakeTimeout,
                    keepAliveInterval,
                    verifier,
                    deliveryPolicy,
                    clock);
        }
    }
}
