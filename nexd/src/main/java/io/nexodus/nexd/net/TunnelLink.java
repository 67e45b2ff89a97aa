package io.nexodus.nexd.net;

import java.util.List;
import java.util.Set;

/**
 * Where this device's tunnel addresses live and how peers' networks are reached: the kernel interface
 * ({@link TunnelInterface}: addresses and routes with {@code ip}) or, for {@code nexd proxy}, the userspace network
 * stack (addresses only; there are no routes, WireGuard's allowed IPs pick the peer).
 */
public interface TunnelLink {
    /** The interface name, for messages. */
    String name();

    /** Takes the tunnel addresses ({@code ipv4}, {@code ipv6}; null = none) and routes {@code routes} over the tunnel. */
    void configure(String ipv4, String ipv6, List<String> routes) throws NetConfigException;

    /** Drops the old tunnel addresses that are not the new ones (after registering again with other addresses). */
    void removeAddresses(String oldV4, String oldV6, String newV4, String newV6) throws NetConfigException;

    /** Makes the routed networks exactly {@code cidrs}. */
    void syncRoutes(Set<String> cidrs) throws NetConfigException;
}
