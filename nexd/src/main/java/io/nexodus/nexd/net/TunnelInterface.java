package io.nexodus.nexd.net;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Addresses and routes of the tunnel interface, set with iproute2's {@code ip}. Why {@code ip} and not rtnetlink from
 * Java: it is on every Linux host nexd runs on, it is called a handful of times (start, a peer's advertised networks
 * change), its error messages are the ones administrators know, and a netlink client over FFM would be a large piece
 * of code for no gain at this rate. The interface itself (TUN) is created by the WireGuard backend.
 * <p>
 * Upstream's layout: the IPv4 tunnel address as /32 and the IPv6 one as /64; a route per VPC CIDR and per advertised
 * network of a peer, via the interface (WireGuard's allowed IPs then pick the peer). Default routes are never
 * installed (they would make the tunnel the host's gateway).
 */
public final class TunnelInterface implements TunnelLink {
    private final CommandRunner run;
    private final String name;
    private final Set<String> routes = new LinkedHashSet<>();

    public TunnelInterface(CommandRunner run, String name) {
        this.run = run;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Adds the tunnel addresses ({@code ipv4} as /32, {@code ipv6} as /64; null = none), sets the link up and routes
     * {@code routes} via it: one {@code ip -batch} run (process start-up is what costs here). If that fails and there
     * is an IPv6 address, it is retried without IPv6 (a host with IPv6 disabled; upstream skips IPv6 then as well).
     */
    @Override
    public void configure(String ipv4, String ipv6, List<String> routes) throws NetConfigException {
        try {
            run.run(List.of("ip", "-batch", "-"), batch(ipv4, ipv6, routes));
        } catch (NetConfigException e) {
            if (ipv6 == null) {
                throw e;
            }
            LoggerFactory.getLogger(TunnelInterface.class)
                    .warn("configuring {} with IPv6 failed ({}); going on without IPv6", name, e.getMessage());
            run.run(
                    List.of("ip", "-batch", "-"),
                    batch(
                            ipv4,
                            null,
                            routes.stream().filter(r -> !r.contains(":")).toList()));
            routes = routes.stream().filter(r -> !r.contains(":")).toList();
        }
        synchronized (this) {
            this.routes.addAll(routes.stream()
                    .filter(r -> !r.equals("0.0.0.0/0") && !r.equals("::/0"))
                    .toList());
        }
    }

    private String batch(String ipv4, String ipv6, List<String> routes) {
        StringBuilder b = new StringBuilder();
        if (ipv4 != null) {
            b.append("address replace ")
                    .append(ipv4)
                    .append("/32 dev ")
                    .append(name)
                    .append('\n');
        }
        if (ipv6 != null) {
            b.append("address replace ")
                    .append(ipv6)
                    .append("/64 dev ")
                    .append(name)
                    .append('\n');
        }
        b.append("link set dev ").append(name).append(" up\n");
        for (String r : routes) {
            if (!r.equals("0.0.0.0/0") && !r.equals("::/0")) {
                b.append("route replace ")
                        .append(r)
                        .append(" dev ")
                        .append(name)
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** Removes the old tunnel addresses that are not the new ones (after registering again with other addresses). */
    @Override
    public void removeAddresses(String oldV4, String oldV6, String newV4, String newV6) throws NetConfigException {
        if (oldV4 != null && !oldV4.equals(newV4)) {
            run.run(List.of("ip", "address", "del", oldV4 + "/32", "dev", name), null);
        }
        if (oldV6 != null && !oldV6.equals(newV6)) {
            run.run(List.of("ip", "address", "del", oldV6 + "/64", "dev", name), null);
        }
    }

    /** Makes the routed networks exactly {@code cidrs} (adds missing routes, deletes the ones no longer wanted). */
    @Override
    public synchronized void syncRoutes(Set<String> cidrs) throws NetConfigException {
        List<String> errors = new ArrayList<>();
        for (String c : cidrs) {
            if (c.equals("0.0.0.0/0") || c.equals("::/0") || routes.contains(c)) {
                continue;
            }
            try {
                run.run(List.of("ip", c.contains(":") ? "-6" : "-4", "route", "replace", c, "dev", name), null);
                routes.add(c);
            } catch (NetConfigException e) {
                errors.add(e.getMessage());
            }
        }
        for (String c : List.copyOf(routes)) {
            if (!cidrs.contains(c)) {
                try {
                    run.run(List.of("ip", c.contains(":") ? "-6" : "-4", "route", "del", c, "dev", name), null);
                } catch (NetConfigException e) {
                    // gone already (the interface went away): nothing to undo
                }
                routes.remove(c);
            }
        }
        if (!errors.isEmpty()) {
            throw new NetConfigException(String.join("; ", errors), null);
        }
    }

    public synchronized Set<String> routes() {
        return Set.copyOf(routes);
    }

    /** Whether a network interface of this name exists in our network namespace. */
    public static boolean exists(String name) {
        try {
            return NetworkInterface.getByName(name) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
