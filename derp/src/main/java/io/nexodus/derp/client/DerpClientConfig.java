package io.nexodus.derp.client;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.crypto.MeshKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a {@link DerpClient} reaches its server. Build with {@link #builder(URI, NodePrivateKey)}.
 *
 * @param url              {@code https://host[:port][/derp]} or {@code http://…} (plain, for tests and dev servers)
 * @param privateKey       our node key (for Nexodus: the WireGuard private key)
 * @param sslContext       trust for TLS; empty means the JDK's default trust store
 * @param serverName       the TLS server name (SNI and certificate check); empty means the URL's host
 * @param dialAddress      connect here instead of resolving the URL's host (a relay's reflexive IP for a private
 *                         hostname, as for {@code certmodemanual}); TLS still checks {@code serverName}
 * @param meshKey          present only for mesh peers
 * @param watchConnections send WatchConns after each connect (mesh peers)
 * @param preferred        send NotePreferred(true) after each connect (this is our home relay)
 * @param fastStart        use the meta certificate fast start when the server offers it (TLS 1.3)
 * @param sendQueueDepth   packets waiting to be written before the oldest is dropped (default 256: a 64 KiB
 *                         GSO burst of WireGuard is ~45 packets, and a bulk flow keeps several in flight)
 * @param platformThreads  read and write on dedicated platform threads (default: the client's reader and writer are
 *                         hot packet loops; measured ~30 % less CPU per packet than virtual threads, whose every
 *                         blocking read parks and is woken by the poller); false for programs with thousands of
 *                         mostly idle clients (benchmarks, load generators)
 * @param connectTimeout   dial + TLS + HTTP upgrade + DERP handshake
 * @param readTimeout      silence after which the connection is considered dead (two missed keepalives)
 * @param writeTimeout     a write to the server stuck this long (the server stopped reading) ends the connection
 * @param backoffMin       first reconnect delay
 * @param backoffMax       longest reconnect delay
 * @param clock            time source (ping round trips)
 */
public record DerpClientConfig(
        URI url,
        NodePrivateKey privateKey,
        Optional<SSLContext> sslContext,
        Optional<String> serverName,
        Optional<InetSocketAddress> dialAddress,
        Optional<MeshKey> meshKey,
        boolean watchConnections,
        boolean preferred,
        boolean fastStart,
        int sendQueueDepth,
        boolean platformThreads,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        Duration backoffMin,
        Duration backoffMax,
        Clock clock) {

    public DerpClientConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(privateKey, "privateKey");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("a DERP URL starts with https:// or http://, got " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("a DERP URL needs a host: " + url);
        }
        if (sendQueueDepth < 1) {
            throw new IllegalArgumentException("sendQueueDepth must be at least 1");
        }
    }

    public boolean tls() {
        return url.getScheme().equalsIgnoreCase("https");
    }

    /** The host to connect to and its port (443/80 unless the URL says otherwise). */
    public String host() {
        String h = url.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : tls() ? 443 : 80;
    }

    /** The request path: the URL's, or {@code /derp}. */
    public String path() {
        String p = url.getRawPath();
        return p == null || p.isEmpty() || p.equals("/") ? "/derp" : p;
    }

    public static Builder builder(URI url, NodePrivateKey privateKey) {
        return new Builder(url, privateKey);
    }

    public static final class Builder {
        private final URI url;
        private final NodePrivateKey privateKey;
        private Optional<SSLContext> sslContext = Optional.empty();
        private Optional<String> serverName = Optional.empty();
        private Optional<InetSocketAddress> dialAddress = Optional.empty();
        private Optional<MeshKey> meshKey = Optional.empty();
        private boolean watchConnections;
        private boolean preferred;
        private boolean fastStart = true;
        private int sendQueueDepth = 256;
        private boolean platformThreads = true;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofMinutes(2);
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration backoffMin = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();

        private Builder(URI url, NodePrivateKey privateKey) {
            this.url = url;
            this.privateKey = privateKey;
        }

        public Builder sslContext(SSLContext v) {
            sslContext = Optional.ofNullable(v);
            return this;
        }

        public Builder serverName(String v) {
            serverName = Optional.ofNullable(v);
            return this;
        }

        public Builder dialAddress(InetSocketAddress v) {
            dialAddress = Optional.ofNullable(v);
            return this;
        }

        public Builder meshKey(MeshKey v) {
            meshKey = Optional.ofNullable(v);
            return this;
        }

        public Builder watchConnections(boolean v) {
            watchConnections = v;
            return this;
        }

        public Builder preferred(boolean v) {
            preferred = v;
            return this;
        }

        public Builder fastStart(boolean v) {
            fastStart = v;
            return this;
        }

        public Builder sendQueueDepth(int v) {
            sendQueueDepth = v;
            return this;
        }

        public Builder platformThreads(boolean v) {
            platformThreads = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder readTimeout(Duration v) {
            readTimeout = v;
            return this;
        }

        public Builder writeTimeout(Duration v) {
            writeTimeout = v;
            return this;
        }

        public Builder backoff(Duration min, Duration max) {
            backoffMin = min;
            backoffMax = max;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public DerpClientConfig build() {
            return new DerpClientConfig(
                    url,
                    privateKey,
                    sslContext,
                    serverName,
                    dialAddress,
                    meshKey,
                    watchConnections,
                    preferred,
                    fastStart,
                    sendQueueDepth,
                    platformThreads,
                    connectTimeout,
                    readTimeout,
                    writeTimeout,
                    backoffMin,
                    backoffMax,
                    clock);
        }
    }
}
