package io.nexodus.e2e.lab;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An end host: a public host on the internet (service, relays, public peers) or a host on a NAT gateway's LAN.
 * Its one interface is {@code eth0}, with a default route to its router, so "the address of the default-route
 * interface" is {@link #address()}.
 */
public final class LabHost extends LabNode {
    static final String IF = "eth0";

    private final Uplink uplink;
    private final NatGateway gateway;
    private final Set<Integer> blockedTcpPorts = new TreeSet<>();
    private final List<Integer> extraAddresses = new ArrayList<>();
    private boolean udpBlocked;

    LabHost(String name, Netns netns, Path dir, Uplink uplink, NatGateway gateway) {
        super(name, netns, dir, uplink.address());
        this.uplink = uplink;
        this.gateway = gateway;
    }

    /** The host's address on {@code eth0} (public, or private behind a NAT). */
    public String address() {
        return uplink.address();
    }

    /** The host's subnet, e.g. {@code 192.168.1.0/24}. */
    public String subnet() {
        return uplink.segment().subnet().toString();
    }

    /** The next hop of its default route (the internet router or its NAT gateway). */
    public String router() {
        return uplink.router();
    }

    /** The NAT gateway the host sits behind; empty for a public host. */
    public Optional<NatGateway> gateway() {
        return Optional.ofNullable(gateway);
    }

    public boolean isPublic() {
        return gateway == null;
    }

    /**
     * The address the internet sees this host's flows come from: its own for a public host, else the outermost
     * gateway's current public address (what a STUN server reports as the reflexive IP).
     */
    public String publicAddress() {
        return gateway == null ? address() : gateway.publicAddress();
    }

    /** Downs the far end of the host's uplink (no carrier; address and routes stay, packets go nowhere). */
    public synchronized void cutUplink() {
        uplink.cut();
    }

    public synchronized void restoreUplink() {
        uplink.restore();
    }

    public boolean isUplinkUp() {
        return uplink.isUp();
    }

    /** Drops all UDP in and out of this host except on loopback (nftables table {@code natlab_host}). */
    public synchronized void blockUdp() {
        udpBlocked = true;
        applyFilter();
    }

    public synchronized void unblockUdp() {
        udpBlocked = false;
        applyFilter();
    }

    public synchronized boolean isUdpBlocked() {
        return udpBlocked;
    }

    /**
     * Refuses new inbound TCP connections to {@code port} (except on loopback) as if the server behind it were gone,
     * while everything else on the host keeps running; e.g. "the public DERP relay is stopped" without stopping the
     * service. Established connections are cut too (their packets are dropped).
     */
    public synchronized void blockInboundTcp(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        blockedTcpPorts.add(port);
        applyFilter();
    }

    public synchronized void unblockInboundTcp(int port) {
        blockedTcpPorts.remove(port);
        applyFilter();
    }

    public synchronized Set<Integer> blockedInboundTcpPorts() {
        return Set.copyOf(blockedTcpPorts);
    }

    private void applyFilter() {
        netns().exec(
                        "nft",
                        "-f",
                        Plumbing.writeScript(dir(), "natlab_host.nft", hostFilter())
                                .toString());
    }

    private String hostFilter() {
        String reset = "table ip natlab_host\ndelete table ip natlab_host\n";
        if (!udpBlocked && blockedTcpPorts.isEmpty()) {
            return reset;
        }
        StringBuilder in = new StringBuilder();
        StringBuilder out = new StringBuilder();
        if (udpBlocked) {
            out.append("    oifname != \"lo\" meta l4proto udp drop\n");
            in.append("    iifname != \"lo\" meta l4proto udp drop\n");
        }
        for (int port : blockedTcpPorts) {
            in.append("    iifname != \"lo\" tcp dport ").append(port).append(" reject with tcp reset\n");
        }
        return reset + "table ip natlab_host {\n"
                + "  chain output {\n    type filter hook output priority filter; policy accept;\n" + out + "  }\n"
                + "  chain input {\n    type filter hook input priority filter; policy accept;\n" + in + "  }\n"
                + "}\n";
    }

    /**
     * Gives the host one more address on its segment (e.g. a second IP for a STUN server's RFC 5780 "other
     * address") and returns it. {@link NatLab#reset()} removes it again.
     */
    public synchronized String addAddress() {
        int a = uplink.segment().allocate();
        String cidr = Ipv4.format(a) + "/" + uplink.segment().subnet().prefix();
        netns().exec("ip", "addr", "add", cidr, "dev", IF);
        extraAddresses.add(a);
        return Ipv4.format(a);
    }

    /** One ICMP echo to {@code address}, waiting at most {@code timeout} (whole seconds, at least 1). */
    public boolean canPing(String address, Duration timeout) {
        long secs = Math.max(1, (timeout.toMillis() + 999) / 1000);
        return netns().tryExec("ping", "-n", "-q", "-c", "1", "-W", Long.toString(secs), address)
                .ok();
    }

    /**
     * Starts a checksumming TCP sink ({@link TransferTool}) on this host, listening on all addresses at
     * {@code port}, and waits until it listens.
     */
    public ChildProcess startTransferServer(int port) {
        ChildProcess p = startJava(
                "transfer-server-" + port,
                JavaCommand.of(TransferTool.class, "serve", "--port", Integer.toString(port)));
        p.awaitOutput("^listening on ", Duration.ofSeconds(30));
        return p;
    }

    /**
     * Sends {@code bytes} pseudo-random bytes from this host to a transfer server at {@code address:port} and checks
     * the SHA-256 the server computed; connection failures are retried until {@code timeout} (a tunnel that is still
     * coming up), a checksum mismatch is not.
     */
    public TransferResult transfer(String address, int port, long bytes, Duration timeout) {
        return transfer(address, port, bytes, timeout, 0);
    }

    /**
     * As {@link #transfer(String, int, long, Duration)}, the sender paced to {@code bytesPerSecond} (0: unpaced), so
     * one connection spans a known time (a path change in the middle of a transfer).
     */
    public TransferResult transfer(String address, int port, long bytes, Duration timeout, long bytesPerSecond) {
        List<String> args = new ArrayList<>(List.of(
                "send",
                "--to",
                address + ":" + port,
                "--bytes",
                Long.toString(bytes),
                "--timeout-ms",
                Long.toString(timeout.toMillis()),
                "--bytes-per-second",
                Long.toString(bytesPerSecond)));
        Cmd.Result r =
                runJava(timeout.plusSeconds(30), JavaCommand.of(TransferTool.class, args.toArray(String[]::new)));
        return TransferResult.parse(r.exitCode(), r.stdout() + r.stderr());
    }

    Uplink uplink() {
        return uplink;
    }

    @Override
    String setupScript() {
        return Plumbing.uplinkScript(uplink);
    }

    @Override
    synchronized void restore() {
        List<String> extra =
                links().stream().filter(l -> !l.equals("lo") && !l.equals(IF)).toList();
        StringBuilder sh = new StringBuilder("nft flush ruleset\n");
        extra.forEach(l -> sh.append("ip link del ").append(l).append(" 2>/dev/null || true\n"));
        sh.append("sysctl -qw net.ipv4.ip_forward=0\n");
        sh.append(Plumbing.uplinkRestoreScript(uplink));
        Plumbing.run(this, "restore.sh", sh.toString());
        udpBlocked = false;
        blockedTcpPorts.clear();
        extraAddresses.forEach(uplink.segment()::release);
        extraAddresses.clear();
        etc().reset();
    }

    @Override
    String describeLine() {
        return String.format(
                "%-8s %-14s %-18s via %-15s public %s",
                name(), isPublic() ? "public" : "behind " + gateway.name(), uplink.cidr(), router(), publicAddress());
    }
}
