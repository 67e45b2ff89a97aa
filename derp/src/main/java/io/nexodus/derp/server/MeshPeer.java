package io.nexodus.derp.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Another DERP server of the same region to mesh with.
 *
 * @param url         its DERP URL ({@code https://host[:port]/derp})
 * @param dialAddress where to connect instead of resolving the URL's host (upstream's {@code host/dialhost} form)
 */
public record MeshPeer(URI url, Optional<InetSocketAddress> dialAddress) {
    public MeshPeer {
        Objects.requireNonNull(url);
        Objects.requireNonNull(dialAddress);
    }

    /**
     * Parses a {@code --mesh-with} entry: a URL ({@code https://host:port}), or {@code host[:port][/dialhost[:port]]}
     * which means {@code https://host[:port]/derp} ({@code http} when {@code tls} is false), dialled at
     * {@code dialhost} (with the same port unless given).
     */
    public static MeshPeer parse(String spec, boolean tls) {
        String s = spec.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty mesh peer");
        }
        if (s.contains("://")) {
            URI u = URI.create(s);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("mesh peer URL without a host: " + spec);
            }
            return new MeshPeer(u, Optional.empty());
        }
        String host = s;
        String dial = null;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            host = s.substring(0, slash);
            dial = s.substring(slash + 1);
        }
        URI u = URI.create((tls ? "https://" : "http://") + host + "/derp");
        if (u.getHost() == null) {
            throw new IllegalArgumentException("bad mesh peer host: " + spec);
        }
        int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
        Optional<InetSocketAddress> dialAddr = Optional.empty();
        if (dial != null && !dial.isEmpty()) {
            URI d = URI.create("x://" + dial);
            if (d.getHost() == null) {
                throw new IllegalArgumentException("bad mesh peer dial host: " + spec);
            }
            dialAddr = Optional.of(new InetSocketAddress(d.getHost(), d.getPort() > 0 ? d.getPort() : port));
        }
        return new MeshPeer(u, dialAddr);
    }
}
