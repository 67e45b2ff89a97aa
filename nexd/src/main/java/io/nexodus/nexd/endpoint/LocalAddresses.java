package io.nexodus.nexd.endpoint;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The host's own addresses: the one on the default-route interface (our {@code local} endpoint, as upstream) and
 * every interface subnet (tunnel addresses must not collide with them).
 */
public final class LocalAddresses {
    private final Path procNetRoute;

    public LocalAddresses() {
        this(Path.of("/proc/net/route"));
    }

    LocalAddresses(Path procNetRoute) {
        this.procNetRoute = procNetRoute;
    }

    /** A subnet of a local interface. */
    public record LocalSubnet(String interfaceName, InetAddress address, int prefixLength) {
        public boolean contains(InetAddress ip) {
            byte[] a = address.getAddress();
            byte[] b = ip.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int bits = prefixLength;
            for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((a[i] & mask) != (b[i] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + prefixLength + " on " + interfaceName;
        }
    }

    /**
     * The IPv4 address of the interface that holds the default route (lowest metric), or else the source address the
     * kernel would pick to reach {@code fallbackTarget} (no packet is sent).
     */
    public Optional<InetAddress> defaultRouteAddress(InetAddress fallbackTarget) {
        Optional<String> iface = defaultRouteInterface();
        if (iface.isPresent()) {
            try {
                NetworkInterface ni = NetworkInterface.getByName(iface.get());
                if (ni != null) {
                    for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                        if (ia.getAddress() instanceof Inet4Address v4) {
                            return Optional.of(v4);
                        }
                    }
                }
            } catch (SocketException e) {
                // fall through to the routing lookup
            }
        }
        if (fallbackTarget == null) {
            return Optional.empty();
        }
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(fallbackTarget, 9));
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? Optional.empty() : Optional.of(local);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The interface of the IPv4 default route with the lowest metric, from {@code /proc/net/route}. */
    Optional<String> defaultRouteInterface() {
        List<String> lines;
        try {
            lines = Files.readAllLines(procNetRoute);
        } catch (IOException e) {
            return Optional.empty();
        }
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+", -1);
            if (f.length < 8) {
                continue;
            }
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            if (!f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue;
            }
            int flags;
            long metric;
            try {
                flags = Integer.parseInt(f[3], 16);
                metric = Long.parseLong(f[6]);
            } catch (NumberFormatException e) {
                continue;
            }
            if ((flags & 0x1) == 0) { // RTF_UP
                continue;
            }
            if (metric < bestMetric) {
                best = f[0];
                bestMetric = metric;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Every address with its prefix on every interface that is up, except loopback and {@code exceptInterface}. */
    public List<LocalSubnet> subnets(String exceptInterface) {
        List<LocalSubnet> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.getName().equals(exceptInterface) || ni.isLoopback() || !ni.isUp()) {
                    continue;
                }
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    InetAddress a = ia.getAddress();
                    if (a == null || a.isLinkLocalAddress()) {
                        continue;
                    }
                    out.add(new LocalSubnet(ni.getName(), a, ia.getNetworkPrefixLength()));
                }
            }
        } catch (SocketException e) {
            // no interfaces readable: nothing can collide that we can see
        }
        return out;
    }

    /** The local subnet {@code ip} falls into, if any: a tunnel address there would shadow the LAN. */
    public Optional<LocalSubnet> conflictFor(InetAddress ip, String exceptInterface) {
        return subnets(exceptInterface).stream().filter(s -> s.contains(ip)).findFirst();
    }
}
