package io.nexodus.nexd.wg;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.packetfilter.StatefulFilter;
import io.nexodus.wireguard.bind.UdpBind;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.device.ConfigException;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.DeviceUpdate;
import io.nexodus.wireguard.device.IpPrefix;
import io.nexodus.wireguard.device.PeerStats;
import io.nexodus.wireguard.device.PeerUpdate;
import io.nexodus.wireguard.tun.MemoryTun;
import io.nexodus.wireguard.tun.Tun;
import io.nexodus.wireguard.uapi.UapiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The in-process userspace WireGuard ({@code wireguard} module): a TUN interface, a UDP socket, and UAPI on
 * {@code /var/run/wireguard/<interface>.sock} so {@code wg show} works. STUN shares the WireGuard socket: the bind
 * hands datagrams carrying the STUN magic cookie to {@link #sharedSocket()}'s handler and sends ours from the same
 * port.
 */
public final class JavaBackend implements WireGuardBackend {
    private final Device device;
    private final UapiServer uapi;
    private final String publicKey;
    private final DatagramPort port;

    private JavaBackend(Device device, UdpBind bind, UapiServer uapi) {
        this.device = device;
        this.uapi = uapi;
        this.publicKey = device.publicKey().toBase64();
        this.port = new DatagramPort() {
            @Override
            public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
                bind.sendDatagram(to, datagram);
            }

            @Override
            public void onReceive(BiConsumer<ByteBuffer, InetSocketAddress> handler) {
                bind.onNonWireGuard(handler == null ? null : handler::accept);
            }

            @Override
            public int port() {
                return bind.port();
            }

            @Override
            public boolean isWireGuardSocket() {
                return true;
            }
        };
    }

    /**
     * Creates the TUN interface {@code name} (needs CAP_NET_ADMIN), binds {@code listenPort} (0 = any) on all
     * addresses, and serves UAPI. Fails if the interface or its UAPI socket exists already.
     */
    public static JavaBackend create(String name, String privateKeyBase64, int listenPort, int mtu)
            throws BackendException {
        UdpBind bind = new UdpBind();
        Device device;
        try {
            device = Device.builder()
                    .interfaceName(name)
                    .mtu(mtu)
                    .privateKey(NodePrivateKey.fromBase64(privateKeyBase64))
                    .listenPort(listenPort)
                    .bind(bind)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new BackendException(
                    "cannot create the WireGuard interface " + name + " on UDP port " + listenPort + ": "
                            + e.getMessage(),
                    e);
        }
        try {
            UapiServer uapi = UapiServer.start(device);
            return new JavaBackend(device, bind, uapi);
        } catch (IOException | RuntimeException e) {
            device.close();
            throw new BackendException(
                    "cannot serve UAPI for " + name + " (" + e.getMessage()
                            + "); is another WireGuard process using this interface name?",
                    e);
        }
    }

    /**
     * A device on {@code tun} (for {@code nexd proxy}: the userspace network stack) instead of a kernel TUN, on all
     * addresses at {@code listenPort} (0 = any). Needs no privileges: there is no interface, and no UAPI socket (its
     * directory {@code /var/run/wireguard} is root's), so {@code wg show} does not see this device.
     */
    public static JavaBackend userspace(Tun tun, String privateKeyBase64, int listenPort) throws BackendException {
        UdpBind bind = new UdpBind();
        try {
            Device device = Device.builder()
                    .tun(tun)
                    .mtu(tun.mtu())
                    .privateKey(NodePrivateKey.fromBase64(privateKeyBase64))
                    .listenPort(listenPort)
                    .bind(bind)
                    .build();
            return new JavaBackend(device, bind, null);
        } catch (IOException | RuntimeException e) {
            throw new BackendException(
                    "cannot start WireGuard (userspace) on UDP port " + listenPort + ": " + e.getMessage(), e);
        }
    }

    /**
     * A device without a kernel interface or UAPI socket (packets through a {@link MemoryTun}), on a UDP socket bound
     * to {@code bindAddress}: for tests of the reconciler against the real protocol.
     */
    public static JavaBackend inMemory(String name, String privateKeyBase64, InetAddress bindAddress)
            throws BackendException {
        UdpBind bind = new UdpBind(bindAddress);
        try {
            Device device = Device.builder()
                    .noTun(name)
                    .privateKey(NodePrivateKey.fromBase64(privateKeyBase64))
                    .listenPort(0)
                    .bind(bind)
                    .build();
            return new JavaBackend(device, bind, null);
        } catch (IOException | RuntimeException e) {
            throw new BackendException("cannot create in-memory device " + name + ": " + e.getMessage(), e);
        }
    }

    /** The device (tests inject packets through its {@link MemoryTun}). */
    public Device device() {
        return device;
    }

    @Override
    public String interfaceName() {
        return device.name();
    }

    @Override
    public int listenPort() {
        return device.listenPort();
    }

    @Override
    public String publicKey() {
        return publicKey;
    }

    @Override
    public void apply(List<PeerChange> changes) throws BackendException {
        if (changes.isEmpty()) {
            return;
        }
        List<PeerUpdate> updates = new ArrayList<>();
        for (PeerChange c : changes) {
            NodePublicKey key = NodePublicKey.fromBase64(c.publicKey());
            switch (c) {
                case PeerChange.Remove r -> updates.add(PeerUpdate.removal(key));
                case PeerChange.Upsert u -> {
                    if (u.recreate()) {
                        updates.add(PeerUpdate.removal(key));
                    }
                    PeerEntry e = u.entry();
                    UdpEndpoint endpoint =
                            (u.setEndpoint() || u.recreate()) && e.endpoint().isPresent()
                                    ? new UdpEndpoint(e.endpoint().get())
                                    : null;
                    List<IpPrefix> allowed =
                            e.allowedIps().stream().map(IpPrefix::parse).toList();
                    if (u.nudge() && !u.recreate() && e.persistentKeepaliveSeconds() > 0) {
                        updates.add(new PeerUpdate(key, false, true, null, null, 0, false, List.of(), List.of()));
                    }
                    updates.add(new PeerUpdate(
                            key,
                            false,
                            false,
                            null,
                            endpoint,
                            e.persistentKeepaliveSeconds(),
                            true,
                            allowed,
                            List.of()));
                }
            }
        }
        try {
            device.configure(DeviceUpdate.ofPeers(updates));
        } catch (ConfigException e) {
            throw new BackendException("WireGuard refused the peer configuration: " + e.getMessage(), e);
        }
    }

    @Override
    public void setFwmark(int mark) throws BackendException {
        try {
            device.configure(new DeviceUpdate(null, null, mark, false, List.of()));
        } catch (ConfigException e) {
            throw new BackendException("cannot set WireGuard's fwmark " + mark + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, PeerCounters> peers() {
        Map<String, PeerCounters> out = new LinkedHashMap<>();
        for (PeerStats s : device.peers()) {
            String key = s.publicKey().toBase64();
            out.put(
                    key,
                    new PeerCounters(
                            key,
                            s.endpoint() == null ? "" : s.endpoint().uapiString(),
                            s.lastHandshake(),
                            s.rxBytes(),
                            s.txBytes(),
                            s.allowedIps().stream().map(IpPrefix::toString).toList()));
        }
        return out;
    }

    @Override
    public boolean enforce(StatefulFilter filter) {
        device.packetFilter(filter == null ? null : new SecurityGroupHook(filter));
        return true;
    }

    @Override
    public Optional<DatagramPort> sharedSocket() {
        return Optional.of(port);
    }

    @Override
    public String describe() {
        return "in-process Java WireGuard"
                + (uapi != null
                        ? ", UAPI " + uapi.socketPath()
                        : device.tun() instanceof MemoryTun ? " (in memory)" : " on a userspace network stack");
    }

    @Override
    public void close() {
        device.close(); // also closes the UAPI server (close hook), the TUN (the interface disappears) and the socket
    }
}
