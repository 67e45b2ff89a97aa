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
 * @param advertise {@code --derp-advertise}: the IP (and port; 0 = the bound port) agents and the other replicas dial
 *                  this relay at, when it is not what {@code hostname} resolves to (e.g. a pod's own IP behind a
 *                  load-balanced name); empty = they resolve {@code hostname} and dial the bound port
 * @param stunPort  the service's first STUN port, published with the relay; -1 = no STUN server
 */
public record DerpRelayOptions(
        Optional<InetSocketAddress> listen,
        String host,
        Optional<String> hostname,
        boolean plainHttp,
        Optional<MeshKey> meshKey,
        List<String> meshWith,
        Optional<InetSocketAddress> advertise,
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
        Objects.requireNonNull(advertise);
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
                Optional.empty(),
                -1);
    }

    public DerpRelayOptions withHostname(String name) {
        return new DerpRelayOptions(
                listen, host, Optional.ofNullable(name), plainHttp, meshKey, meshWith, advertise, stunPort);
    }

    public DerpRelayOptions withPlainHttp(boolean plain) {
        return new DerpRelayOptions(listen, host, hostname, plain, meshKey, meshWith, advertise, stunPort);
    }

    public DerpRelayOptions withStunPort(int port) {
        return new DerpRelayOptions(listen, host, hostname, plainHttp, meshKey, meshWith, advertise, port);
    }

    /** The relay meshing with the other replicas' (and {@code peers}) under {@code key}. */
    public DerpRelayOptions withMesh(MeshKey key, List<String> peers) {
        return new DerpRelayOptions(listen, host, hostname, plainHttp, Optional.of(key), peers, advertise, stunPort);
    }

    public DerpRelayOptions withAdvertise(InetSocketAddress address) {
        return new DerpRelayOptions(
                listen, host, hostname, plainHttp, meshKey, meshWith, Optional.of(address), stunPort);
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

    /**
     * Parses {@code --derp-advertise}: {@code IP}, {@code IP:PORT}, {@code [v6]} or {@code [v6]:PORT} (no port: the
     * bound one, returned as port 0). A name is refused: the relay's name is {@code --derp-hostname}.
     *
     * @throws IllegalArgumentException with a message naming the flag
     */
    public static InetSocketAddress parseAdvertise(String flag, String value) {
        String v = value.strip();
        String h = v;
        int port = 0;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(flag + ": missing ']' in '" + value + "'");
            }
            h = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException(flag + " needs IP[:PORT], got '" + value + "'");
                }
                port = parsePort(flag, rest.substring(1), value);
            }
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            h = v.substring(0, v.indexOf(':'));
            port = parsePort(flag, v.substring(v.indexOf(':') + 1), value);
        }
        if (!h.isEmpty() && !Character.isDigit(h.charAt(0)) && h.indexOf(':') < 0) {
            throw new IllegalArgumentException(
                    flag + " takes an IP address (give a name with --derp-hostname), got '" + value + "'");
        }
        InetAddress ip;
        try {
            if (h.indexOf(':') < 0 && !h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) { // ofLiteral takes "10.1.2" too
                throw new IllegalArgumentException("not a dotted-quad IPv4 address");
            }
            ip = InetAddress.ofLiteral(h);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " needs IP[:PORT], got '" + value + "'", e);
        }
        if (ip.isAnyLocalAddress()) {
            throw new IllegalArgumentException(flag + ": " + h + " is not an address others can dial");
        }
        return new InetSocketAddress(ip, port);
    }

    private static int parsePort(String flag, String text, String value) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": port is not a number in '" + value + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(flag + ": port out of range in '" + value + "'");
        }
        return port;
    }
}
