package io.nexodus.nexd.dns;

import io.nexodus.nexd.net.CommandRunner;
import io.nexodus.nexd.net.NetConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Points the host's resolver at nexd's DNS and back. Two ways, chosen by {@link #detect}: systemd-resolved (a per-link
 * DNS server and the routing-only domain {@code ~nexodus} on the tunnel interface, so only VPC names come to nexd and
 * {@code resolvectl revert} undoes it) or, without it, a managed block at the top of {@code /etc/resolv.conf} (nexd
 * first, the host's own servers after it; nexd forwards every other name to them).
 */
public sealed interface HostResolver permits HostResolver.ResolvConfBlock, HostResolver.SystemdResolved {

    /** Sends VPC names to {@code servers} (nexd's DNS on the tunnel addresses). */
    void install(List<InetAddress> servers) throws IOException;

    /** Undoes {@link #install}: the configuration is as it was before. */
    void remove() throws IOException;

    /** The resolvers nexd forwards other names to (those configured before nexd's). */
    List<InetAddress> upstreams() throws IOException;

    String describe();

    /**
     * systemd-resolved when it manages {@code resolvConf} (it points at its stub 127.0.0.53) and {@code resolvectl}
     * runs; else the managed block in {@code resolvConf}.
     */
    static HostResolver detect(Path resolvConf, String iface, CommandRunner commands) {
        try {
            String text = Files.exists(resolvConf) ? Files.readString(resolvConf, StandardCharsets.UTF_8) : "";
            if (ResolvConfBlock.nameservers(ResolvConfBlock.withoutBlock(text)).stream()
                    .anyMatch(a -> a.getHostAddress().equals("127.0.0.53"))) {
                commands.run(List.of("resolvectl", "status", iface), null);
                return new SystemdResolved(iface, commands);
            }
        } catch (IOException | NetConfigException e) {
            // no systemd-resolved here (or not usable): the file it is
        }
        return new ResolvConfBlock(resolvConf);
    }

    /** nexd's block at the top of a resolv.conf; every other byte of the file is kept. Written in place (bind mounts). */
    final class ResolvConfBlock implements HostResolver {
        static final String BEGIN = "# BEGIN nexd managed block (VPC names under ." + VpcNames.ZONE + ") - do not edit";
        static final String END = "# END nexd managed block";
        private final Path file;

        public ResolvConfBlock(Path file) {
            this.file = file;
        }

        @Override
        public synchronized void install(List<InetAddress> servers) throws IOException {
            String rest = withoutBlock(read());
            StringBuilder out = new StringBuilder(BEGIN).append('\n');
            for (InetAddress a : servers) {
                out.append("nameserver ").append(a.getHostAddress()).append('\n');
            }
            out.append(END).append('\n').append(rest);
            String now = out.toString();
            if (!now.equals(read())) {
                Files.writeString(file, now, StandardCharsets.UTF_8); // truncates and writes: no rename
            }
        }

        @Override
        public synchronized void remove() throws IOException {
            String text = read();
            String rest = withoutBlock(text);
            if (!rest.equals(text)) {
                Files.writeString(file, rest, StandardCharsets.UTF_8);
            }
        }

        @Override
        public List<InetAddress> upstreams() throws IOException {
            return nameservers(withoutBlock(read()));
        }

        @Override
        public String describe() {
            return file + " (managed block)";
        }

        /** Whether the block is in the file (another tool may have rewritten it). */
        public boolean installed() throws IOException {
            return read().contains(BEGIN + "\n");
        }

        private String read() throws IOException {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }

        static String withoutBlock(String text) {
            int b = text.indexOf(BEGIN + "\n");
            if (b < 0) {
                return text;
            }
            int e = text.indexOf(END + "\n", b);
            if (e < 0) {
                return text; // a broken block (edited by hand): leave the file alone
            }
            return text.substring(0, b) + text.substring(e + END.length() + 1);
        }

        static List<InetAddress> nameservers(String text) {
            List<InetAddress> out = new ArrayList<>();
            for (String line : text.lines().toList()) {
                String[] f = line.strip().split("\\s+", -1);
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    String a = f[1].contains("%") ? f[1].substring(0, f[1].indexOf('%')) : f[1];
                    try {
                        out.add(InetAddress.ofLiteral(a));
                    } catch (IllegalArgumentException e) {
                        // not an address: glibc ignores such a line too
                    }
                }
            }
            return out;
        }
    }

    /** Per-link DNS through systemd-resolved's {@code resolvectl}. */
    final class SystemdResolved implements HostResolver {
        private final String iface;
        private final CommandRunner commands;

        SystemdResolved(String iface, CommandRunner commands) {
            this.iface = iface;
            this.commands = commands;
        }

        @Override
        public void install(List<InetAddress> servers) throws IOException {
            List<String> dns = new ArrayList<>(List.of("resolvectl", "dns", iface));
            servers.forEach(a -> dns.add(a.getHostAddress()));
            try {
                commands.run(dns, null);
                commands.run(List.of("resolvectl", "domain", iface, "~" + VpcNames.ZONE), null);
            } catch (NetConfigException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void remove() throws IOException {
            try {
                commands.run(List.of("resolvectl", "revert", iface), null);
            } catch (NetConfigException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public List<InetAddress> upstreams() {
            return List.of(); // only ~nexodus names are routed to nexd
        }

        @Override
        public String describe() {
            return "systemd-resolved (per-link DNS on " + iface + ", domain ~" + VpcNames.ZONE + ")";
        }
    }
}
