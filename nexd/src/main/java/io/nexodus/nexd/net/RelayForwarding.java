package io.nexodus.nexd.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What makes a host a WireGuard hub relay: the kernel forwards packets that arrive on the tunnel interface back out of
 * it (to the destination peer). IPv4/IPv6 forwarding on, ICMP redirects off (the kernel would otherwise tell peers to
 * go direct, which they cannot), and an nftables table that accepts forwarding on the tunnel interface (upstream's
 * rule), so a host whose forward policy is drop still relays. Undone on {@link #close()}.
 * <p>
 * sysctls are per network namespace; the relay changes only its own namespace's.
 */
public final class RelayForwarding implements AutoCloseable {
    static final String TABLE = "nexodus-relay";

    private final CommandRunner run;
    private final String iface;
    private final Path procSys;
    private boolean applied;

    public RelayForwarding(CommandRunner run, String iface) {
        this(run, iface, Path.of("/proc/sys"));
    }

    RelayForwarding(CommandRunner run, String iface, Path procSys) {
        this.run = run;
        this.iface = iface;
        this.procSys = procSys;
    }

    public void enable() throws NetConfigException {
        writeSysctl("net/ipv4/ip_forward", "1", true);
        writeSysctl("net/ipv6/conf/all/forwarding", "1", false);
        writeSysctl("net/ipv4/conf/all/send_redirects", "0", false);
        writeSysctl("net/ipv4/conf/" + iface + "/send_redirects", "0", false);
        run.run(List.of("nft", "-f", "-"), nftRules(iface));
        applied = true;
    }

    /** The nftables ruleset: a table of its own, so it is added and removed without touching anything else. */
    static String nftRules(String iface) {
        return "table inet " + TABLE + " {}\n"
                + "delete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "  chain forward {\n"
                + "    type filter hook forward priority 0; policy accept;\n"
                + "    iifname \"" + iface + "\" counter accept\n"
                + "  }\n"
                + "}\n";
    }

    private void writeSysctl(String key, String value, boolean required) throws NetConfigException {
        Path p = procSys.resolve(key);
        try {
            Files.writeString(p, value);
        } catch (IOException e) {
            if (required) {
                throw new NetConfigException(
                        "cannot set " + key.replace('/', '.') + "=" + value + " (" + e.getMessage()
                                + "); a relay must forward packets",
                        e);
            }
        }
    }

    @Override
    public void close() {
        if (!applied) {
            return;
        }
        applied = false;
        try {
            run.run(List.of("nft", "delete", "table", "inet", TABLE), null);
        } catch (NetConfigException e) {
            // already gone
        }
    }
}
