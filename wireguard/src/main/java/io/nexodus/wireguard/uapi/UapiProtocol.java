package io.nexodus.wireguard.uapi;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.crypto.PresharedKey;
import io.nexodus.wireguard.device.ConfigException;
import io.nexodus.wireguard.device.DeviceStatus;
import io.nexodus.wireguard.device.DeviceUpdate;
import io.nexodus.wireguard.device.IpPrefix;
import io.nexodus.wireguard.device.PeerStats;
import io.nexodus.wireguard.device.PeerUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The cross-platform configuration protocol (https://www.wireguard.com/xplatform/) that {@code wg} speaks: turning a
 * {@code set=1} request into a {@link DeviceUpdate}, and a {@link DeviceStatus} into a {@code get=1} reply. Pure
 * functions; {@link UapiServer} does the I/O.
 */
public final class UapiProtocol {
    private UapiProtocol() {}

    /**
     * Parses the key=value lines of a {@code set=1} request (without the {@code set=1} line and the blank line).
     * Every line is validated before anything is applied, so a bad request changes nothing.
     */
    public static DeviceUpdate parseSet(List<String> lines) throws ConfigException {
        NodePrivateKey privateKey = null;
        Integer listenPort = null;
        Integer fwmark = null;
        boolean replacePeers = false;
        List<PeerUpdate> peers = new ArrayList<>();
        PeerBuilder peer = null;
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(ConfigException.EPROTO, "failed to parse line \"" + line + "\"");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                peer = new PeerBuilder(hexKey(key, value, NodePublicKey::fromHex));
                continue;
            }
            if (peer == null) {
                switch (key) {
                    case "private_key" -> privateKey = hexKey(key, value, NodePrivateKey::fromHex);
                    case "listen_port" -> listenPort = (int) unsigned(key, value, 0xffff);
                    case "fwmark" -> fwmark = (int) unsigned(key, value, 0xffffffffL);
                    case "replace_peers" -> replacePeers = isTrue(key, value);
                    default -> throw invalid("invalid UAPI device key: " + key);
                }
            } else {
                peer.line(key, value);
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new DeviceUpdate(privateKey, listenPort, fwmark, replacePeers, peers);
    }

    private static final class PeerBuilder {
        final NodePublicKey publicKey;
        boolean remove;
        boolean updateOnly;
        PresharedKey presharedKey;
        UdpEndpoint endpoint;
        Integer keepalive;
        boolean replaceAllowedIps;
        final List<IpPrefix> add = new ArrayList<>();
        final List<IpPrefix> removeIps = new ArrayList<>();

        PeerBuilder(NodePublicKey publicKey) {
            this.publicKey = publicKey;
        }

        void line(String key, String value) throws ConfigException {
            switch (key) {
                case "update_only" -> updateOnly = isTrue(key, value);
                case "remove" -> remove = isTrue(key, value);
                case "preshared_key" -> presharedKey = hexKey(key, value, PresharedKey::fromHex);
                case "endpoint" -> {
                    try {
                        endpoint = UdpEndpoint.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw invalid("failed to set endpoint " + value + ": " + e.getMessage());
                    }
                }
                case "persistent_keepalive_interval" -> keepalive = (int) unsigned(key, value, 0xffff);
                case "replace_allowed_ips" -> {
                    replaceAllowedIps = isTrue(key, value);
                    add.clear(); // lines before this one are undone by it, as when applied in order
                }
                case "allowed_ip" -> {
                    boolean removal = value.startsWith("-");
                    IpPrefix p;
                    try {
                        p = IpPrefix.parse(removal ? value.substring(1) : value);
                    } catch (IllegalArgumentException e) {
                        throw invalid("failed to set allowed ip: " + e.getMessage());
                    }
                    // Keep the effect of applying the lines in order although removals run before additions.
                    if (removal) {
                        add.remove(p);
                        removeIps.add(p);
                    } else {
                        removeIps.remove(p);
                        add.add(p);
                    }
                }
                case "protocol_version" -> {
                    if (!value.equals("1")) {
                        throw invalid("invalid protocol version: " + value);
                    }
                }
                default -> throw invalid("invalid UAPI peer key: " + key);
            }
        }

        PeerUpdate build() {
            return new PeerUpdate(
                    publicKey,
                    remove,
                    updateOnly,
                    presharedKey,
                    endpoint,
                    keepalive,
                    replaceAllowedIps,
                    add,
                    removeIps);
        }
    }

    private static ConfigException invalid(String message) {
        return new ConfigException(ConfigException.EINVAL, message);
    }

    private static <K> K hexKey(String key, String value, Function<String, K> parse) throws ConfigException {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw invalid("failed to set " + key + ": " + e.getMessage());
        }
    }

    private static long unsigned(String key, String value, long max) throws ConfigException {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid("failed to parse " + key + ": " + value);
        }
        long v = Long.parseLong(value);
        if (v > max) {
            throw invalid(key + " out of range: " + value);
        }
        return v;
    }

    private static boolean isTrue(String key, String value) throws ConfigException {
        if (!value.equals("true")) {
            throw invalid("failed to set " + key + ", invalid value: " + value);
        }
        return true;
    }

    /** The body of a {@code get=1} reply, without the final {@code errno=0} line. */
    public static String formatGet(DeviceStatus status) {
        StringBuilder sb = new StringBuilder(256 + status.peers().size() * 400);
        if (status.privateKey() != null) {
            sb.append("private_key=").append(status.privateKey().toHex()).append('\n');
        }
        if (status.listenPort() != 0) {
            sb.append("listen_port=").append(status.listenPort()).append('\n');
        }
        if (status.fwmark() != 0) {
            sb.append("fwmark=")
                    .append(Integer.toUnsignedString(status.fwmark()))
                    .append('\n');
        }
        for (PeerStats p : status.peers()) {
            sb.append("public_key=").append(p.publicKey().toHex()).append('\n');
            sb.append("preshared_key=")
                    .append(
                            p.presharedKey() == null
                                    ? "0".repeat(64)
                                    : p.presharedKey().toHex())
                    .append('\n');
            sb.append("protocol_version=1\n");
            if (p.endpoint() != null) {
                sb.append("endpoint=").append(p.endpoint().uapiString()).append('\n');
            }
            Instant last = p.lastHandshake();
            long sec = last == null ? 0 : last.getEpochSecond();
            long nsec = last == null ? 0 : last.getNano();
            sb.append("last_handshake_time_sec=").append(sec).append('\n');
            sb.append("last_handshake_time_nsec=").append(nsec).append('\n');
            sb.append("tx_bytes=").append(p.txBytes()).append('\n');
            sb.append("rx_bytes=").append(p.rxBytes()).append('\n');
            sb.append("persistent_keepalive_interval=")
                    .append(p.persistentKeepaliveSeconds())
                    .append('\n');
            for (IpPrefix a : p.allowedIps()) {
                sb.append("allowed_ip=").append(uapiPrefix(a)).append('\n');
            }
        }
        return sb.toString();
    }

    /** IPv6 prefixes in compressed form as wg prints them ({@code fd00::/64}, not the JDK's long form). */
    static String uapiPrefix(IpPrefix p) {
        if (p.isV4()) {
            return p.toString();
        }
        return p.toString();
    }
}
