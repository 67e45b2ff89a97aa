package io.nexodus.e2e.lab;

import io.nexodus.testkit.Cmd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates the shell, {@code ip} and {@code nft} text that configures the namespaces. Every script is written to
 * the node's directory before it runs, so a failing lab can be inspected (and replayed by hand).
 */
final class Plumbing {
    private Plumbing() {}

    static Path writeScript(Path dir, String name, String content) {
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + " in " + dir, e);
        }
    }

    /** Runs {@code script} with {@code sh -e} inside the node's namespace (plain {@code ip netns exec}). */
    static Cmd.Result run(LabNode node, String name, String script) {
        Path p = writeScript(node.dir(), name, script);
        return node.netns().exec("sh", "-e", p.toString());
    }

    /** Turns a namespace into a router: forwarding on, and bridged frames kept out of the IP firewall hooks. */
    static String routerSysctls() {
        return """
                sysctl -qw net.ipv4.ip_forward=1
                if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
                  sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-arptables=0
                fi
                """;
    }

    /** Creates the segment's bridge with the router address, and one veth per attached child. */
    static String segmentScript(Segment segment, List<? extends LabNode> children) {
        StringBuilder sb = new StringBuilder();
        String br = segment.bridge();
        sb.append("ip link add ").append(br).append(" type bridge\n");
        sb.append("ip addr add ")
                .append(Ipv4.format(segment.router()))
                .append('/')
                .append(segment.subnet().prefix())
                .append(" dev ")
                .append(br)
                .append('\n');
        sb.append("ip link set ").append(br).append(" up\n");
        for (LabNode child : children) {
            Uplink u = uplinkOf(child);
            sb.append("ip link add ")
                    .append(u.port())
                    .append(" type veth peer name ")
                    .append(u.ifName())
                    .append(" netns ")
                    .append(child.namespace())
                    .append('\n');
            sb.append("ip link set ")
                    .append(u.port())
                    .append(" master ")
                    .append(br)
                    .append('\n');
            sb.append("ip link set ").append(u.port()).append(" up\n");
        }
        return sb.toString();
    }

    static String uplinkScript(Uplink u) {
        return "ip addr add " + u.cidr() + " dev " + u.ifName() + "\n"
                + "ip link set " + u.ifName() + " up\n"
                + "ip route add default via " + u.router() + " dev " + u.ifName() + "\n";
    }

    /** Back to the built address and route, with the parent's end of the link up again. */
    static String uplinkRestoreScript(Uplink u) {
        return "ip -n " + u.parent().namespace() + " link set " + u.port() + " up\n"
                + "ip addr flush dev " + u.ifName() + "\n"
                + "ip addr add " + u.initialCidr() + " dev " + u.ifName() + "\n"
                + "ip link set " + u.ifName() + " up\n"
                + "ip route replace default via " + u.router() + " dev " + u.ifName() + "\n";
    }

    static Uplink uplinkOf(LabNode node) {
        return switch (node) {
            case LabHost h -> h.uplink();
            case NatGateway g -> g.uplink();
            case InternetRouter r -> throw new IllegalArgumentException("the internet router has no uplink");
        };
    }
}
