package io.nexodus.nexd.proxy;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.net.TunnelLink;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The tunnel of {@code nexd proxy}: the tunnel addresses become a userspace stack's ({@link StackTun#attach}) and
 * the proxy's forwarders start on it. No routes: the stack hands every packet to the WireGuard device, whose allowed
 * IPs pick the peer (a packet for no peer is dropped there). New addresses (a re-registration) mean a new stack, so
 * connections of the old addresses are reset, as they would be on a kernel interface.
 */
public final class StackLink implements TunnelLink {
    private final StackTun tun;
    private final UserspaceProxy proxy;
    private List<InetAddress> addresses = List.of();

    public StackLink(StackTun tun, UserspaceProxy proxy) {
        this.tun = tun;
        this.proxy = proxy;
    }

    @Override
    public String name() {
        return tun.name() + " (userspace)";
    }

    @Override
    public synchronized void configure(String ipv4, String ipv6, List<String> routes) throws NetConfigException {
        List<InetAddress> want = new ArrayList<>();
        for (String ip : new String[] {ipv4, ipv6}) {
            if (ip != null) {
                want.add(Addresses.parseIp(ip)
                        .orElseThrow(() -> new NetConfigException("not an IP address: " + ip, null)));
            }
        }
        if (want.isEmpty()) {
            throw new NetConfigException("the device has no tunnel address", null);
        }
        if (want.equals(addresses)) {
            return;
        }
        NetStack stack;
        try {
            stack = tun.attach(NetStackConfig.defaults(want).withMtu(tun.mtu()));
        } catch (RuntimeException e) {
            throw new NetConfigException("cannot start the userspace network stack: " + e.getMessage(), e);
        }
        addresses = List.copyOf(want);
        proxy.attach(stack);
    }

    @Override
    public void removeAddresses(String oldV4, String oldV6, String newV4, String newV6) {
        // configure() replaced the stack, and with it the old addresses
    }

    @Override
    public void syncRoutes(Set<String> cidrs) {
        // no routes: WireGuard's allowed IPs decide which peer a packet goes to
    }
}
