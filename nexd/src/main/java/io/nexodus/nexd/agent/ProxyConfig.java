package io.nexodus.nexd.agent;

import io.nexodus.nexd.proxy.ProxyRule;
import java.util.List;

/**
 * {@code nexd proxy}: the agent runs its WireGuard on a userspace network stack instead of a kernel TUN (no root, no
 * interface, no routes) and forwards ports between the Nexodus network and this host by {@code rules}.
 *
 * @param enabled whether this is {@code nexd proxy}
 * @param rules   the command line's {@code --ingress}/{@code --egress} rules (rules added at run time are in the state)
 */
public record ProxyConfig(boolean enabled, List<ProxyRule> rules) {
    /** Not proxy mode. */
    public static final ProxyConfig NONE = new ProxyConfig(false, List.of());

    public ProxyConfig {
        rules = List.copyOf(rules);
    }
}
