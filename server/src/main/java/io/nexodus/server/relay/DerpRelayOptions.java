package io.nexodus.server.relay;

import io.nexodus.derp.crypto.MeshKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code nexodus serve} runs its public DERP relay ({@code --derp-*} flags, resolved).
 *
 * @param listen    the address to bind ({@code --derp-listen}); empty = the API's listen host on port 443 if it can be
 *                  bound, else {@link #FALLBACK_PORT}
 * @param host      the listen host used when {@code listen} is empty (the API's)
 * @param hostname  {@code --derp-hostname}: the relay's certificate name; empty = the host of the service URL
 * @param plainHttp {@code --derp-plain-http}: no TLS (development only)
 * @param meshKey   {@code --derp-mesh-key}: mesh with other relays (e.g. the relays of other service replicas)
 * @param meshWith  {@code --derp-mesh-with}: the other relays of the mesh
 * @param stunPort  the service's first STUN port, published with the relay; -1 = no STUN server
 */
public record DerpRelayOptions(
        Optional<InetSocketAddress> listen,
        String host,
        Optional<String> hostname,
        boolean plainHttp,
        Optional<MeshKey> meshKey,
        List<String> meshWith,
        int stunPort) {
    /** The standard DERP port: the one port that restrictive firewalls let out (HTTPS). Needs privileges to bind. */
    public static final int PREFERRED_PORT = 443;
    /** What the relay binds when 443 is not available (taken, or no privilege): next to the API's 8443. */
    public static final int FALLBACK_PORT = 8444;

    public DerpRelayOptions {
        Objects.requireNonNull(listen);
        Objects.requireNonNull(host);
        Objects.requireNonNull(hostname);
        Objects.requireNonNull(meshKey);
        meshWith = List.copyOf(meshWith);
        if (!meshWith.isEmpty() && meshKey.isEmpty()) {
            throw new IllegalArgumentException("--derp-mesh-with needs --derp-mesh-key");
        }
    }

    /** A relay for tests: loopback, any free port, TLS as the service has it. */
    public static DerpRelayOptions forTests() {
        return new DerpRelayOptions(
                Optional.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0)),
                "127.0.0.1",
                Optional.empty(),
                false,
                Optional.empty(),
                List.of(),
                -1);
    }

    public DerpRelayOptions withHostname(String name) {
        return new DerpRelayOptions(listen, host, Optional.ofNullable(name), plainHttp, meshKey, meshWith, stunPort);
    }

    public DerpRelayOptions withPlainHttp(boolean plain) {
        return new DerpRelayOptions(listen, host, hostname, plain, meshKey, meshWith, stunPort);
    }

    public DerpRelayOptions withStunPort(int port) {
        return new DerpRelayOptions(listen, host, hostname, plainHttp, meshKey, meshWith, port);
    }

    /**
     * Parses a {@code HOST:PORT} (or {@code [v6]:PORT}, or {@code :PORT} for all addresses) listen address.
     *
     * @throws IllegalArgumentException with a message naming the flag
     */
    public static InetSocketAddress parseListen(String flag, String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(flag + " needs HOST:PORT (or 'none'), got '" + value + "'");
        }
        String h = v.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty()) {
            h = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": port is not a number in '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + ": port out of range in '" + value + "'");
        }
        return new InetSocketAddress(h, port);
    }
}
