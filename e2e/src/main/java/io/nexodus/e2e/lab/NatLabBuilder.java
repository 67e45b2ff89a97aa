package io.nexodus.e2e.lab;

import io.nexodus.testkit.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Declares a lab's hosts and gateways, then {@link #build()}s it. Addresses not given are allocated: public hosts
 * from {@code 203.0.113.10}, gateways on the internet from {@code 198.51.100.10}, LANs {@code 192.168.10.0/24}
 * upward, hosts on a LAN from {@code .10}. Declaration order does not matter.
 */
public final class NatLabBuilder {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,14}");
    private static final AtomicInteger LABS = new AtomicInteger();

    private record HostSpec(String name, String gateway, String address) {}

    private final Path baseDir;
    private final Map<String, GatewaySpec> gateways = new LinkedHashMap<>();
    private final Map<String, HostSpec> hosts = new LinkedHashMap<>();

    NatLabBuilder(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** A host on the internet's public segment with an allocated address. */
    public NatLabBuilder publicHost(String name) {
        return addHost(new HostSpec(name, null, null));
    }

    /** A host on the internet's public segment ({@value InternetRouter#PUBLIC_SUBNET}) at {@code address}. */
    public NatLabBuilder publicHost(String name, String address) {
        return addHost(new HostSpec(name, null, address));
    }

    /** A gateway on the internet with {@code mapping}, open egress and allocated addresses. */
    public NatLabBuilder gateway(String name, NatMapping mapping) {
        return gateway(GatewaySpec.of(name, mapping));
    }

    public NatLabBuilder gateway(GatewaySpec spec) {
        checkName(spec.name());
        gateways.put(spec.name(), spec);
        return this;
    }

    /** A host on {@code gateway}'s LAN with an allocated address. */
    public NatLabBuilder hostBehind(String name, String gateway) {
        return addHost(new HostSpec(name, gateway, null));
    }

    public NatLabBuilder hostBehind(String name, String gateway, String address) {
        return addHost(new HostSpec(name, gateway, address));
    }

    private NatLabBuilder addHost(HostSpec spec) {
        checkName(spec.name());
        hosts.put(spec.name(), spec);
        return this;
    }

    private void checkName(String name) {
        if (!NAME.matcher(name).matches() || name.equals(InternetRouter.NAME)) {
            throw new IllegalArgumentException("node names are [a-z][a-z0-9-]{0,14} and not 'internet': " + name);
        }
        if (gateways.containsKey(name) || hosts.containsKey(name)) {
            throw new IllegalArgumentException("duplicate node name: " + name);
        }
    }

    /**
     * Creates the namespaces, links, addresses, routes and nftables rules. On any failure everything created so far
     * is removed before the exception propagates.
     */
    public NatLab build() {
        long start = System.nanoTime();
        Map<String, Integer> depth = validate();
        Path dir = baseDir.resolve(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now(ZoneId.systemDefault())) + "-"
                        + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create lab directory " + dir, e);
        }
        Netns.cleanupStaleOnce();
        EtcOverlay.cleanupStale();

        List<String> names = new ArrayList<>();
        names.add(InternetRouter.NAME);
        gateways.keySet().stream().sorted((a, b) -> depth.get(a) - depth.get(b)).forEach(names::add);
        names.addAll(hosts.keySet());

        Map<String, Netns> netns = new ConcurrentHashMap<>();
        Map<String, LabNode> nodes = new LinkedHashMap<>();
        try {
            NatLab.parallel(names, n -> netns.put(n, Netns.create(n + "-")));
            wire(dir, names, netns, nodes);
            // Parents before children: a node's setup configures the veth end its parent created.
            int maxDepth =
                    nodes.values().stream().mapToInt(n -> depthOf(n)).max().orElse(0);
            for (int level = 0; level <= maxDepth; level++) {
                final int l = level;
                NatLab.parallel(
                        nodes.values().stream().filter(n -> depthOf(n) == l).toList(),
                        n -> Plumbing.run(n, "setup.sh", n.setupScript()));
            }
            nodes.values().forEach(n -> n.etc().create());
            return new NatLab(
                    dir,
                    (InternetRouter) nodes.get(InternetRouter.NAME),
                    nodes,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException | Error e) {
            for (Netns ns : netns.values()) {
                try {
                    ns.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            nodes.values().forEach(n -> n.etc().delete());
            throw e;
        }
    }

    /** Checks references and cycles; returns each gateway's nesting depth (1 = on the internet). */
    private Map<String, Integer> validate() {
        Map<String, Integer> depth = new HashMap<>();
        for (String g : gateways.keySet()) {
            Set<String> seen = new HashSet<>();
            int d = 1;
            String cur = g;
            while (gateways.get(cur).upstream() != null) {
                String up = gateways.get(cur).upstream();
                if (!gateways.containsKey(up)) {
                    throw new IllegalArgumentException("gateway '" + cur + "' is behind unknown gateway '" + up + "'");
                }
                if (!seen.add(cur)) {
                    throw new IllegalArgumentException("gateways form a cycle through '" + g + "'");
                }
                cur = up;
                d++;
            }
            depth.put(g, d);
        }
        for (HostSpec h : hosts.values()) {
            if (h.gateway() != null && !gateways.containsKey(h.gateway())) {
                throw new IllegalArgumentException(
                        "host '" + h.name() + "' is behind unknown gateway '" + h.gateway() + "'");
            }
        }
        return depth;
    }

    private void wire(Path dir, List<String> names, Map<String, Netns> netns, Map<String, LabNode> nodes) {
        Segment pub = new Segment("pub", Ipv4.Subnet.parse(InternetRouter.PUBLIC_SUBNET));
        Segment isp = new Segment("isp", Ipv4.Subnet.parse(InternetRouter.ISP_SUBNET));
        InternetRouter internet =
                new InternetRouter(netns.get(InternetRouter.NAME), dir.resolve(InternetRouter.NAME), pub, isp);
        nodes.put(InternetRouter.NAME, internet);

        // LAN segments first, so fixed addresses can be reserved before anything is allocated.
        Map<String, Segment> lans = new HashMap<>();
        Set<String> explicitLans = new HashSet<>();
        gateways.values().stream()
                .filter(g -> g.lanSubnet() != null)
                .forEach(g -> explicitLans.add(Ipv4.Subnet.parse(g.lanSubnet()).toString()));
        int auto = 10;
        for (GatewaySpec g : gateways.values()) {
            Ipv4.Subnet subnet;
            if (g.lanSubnet() != null) {
                subnet = Ipv4.Subnet.parse(g.lanSubnet());
            } else {
                while (explicitLans.contains("192.168." + auto + ".0/24")) {
                    auto++;
                }
                subnet = Ipv4.Subnet.parse("192.168." + auto++ + ".0/24");
            }
            lans.put(g.name(), new Segment(NatGateway.LAN, subnet));
        }
        Map<String, Integer> fixed = new HashMap<>();
        for (GatewaySpec g : gateways.values()) {
            if (g.wanAddress() != null) {
                fixed.put(g.name(), (g.upstream() == null ? isp : lans.get(g.upstream())).reserve(g.wanAddress()));
            }
        }
        for (HostSpec h : hosts.values()) {
            if (h.address() != null) {
                fixed.put(h.name(), (h.gateway() == null ? pub : lans.get(h.gateway())).reserve(h.address()));
            }
        }

        for (String name : names) {
            if (name.equals(InternetRouter.NAME)) {
                continue;
            }
            GatewaySpec gs = gateways.get(name);
            if (gs != null) {
                NatGateway up = gs.upstream() == null ? null : (NatGateway) nodes.get(gs.upstream());
                Segment seg = up == null ? isp : up.lan();
                LabNode parent = up == null ? internet : up;
                int addr = fixed.containsKey(name) ? fixed.get(name) : seg.allocate();
                Uplink uplink = new Uplink(parent, seg, seg.nextPortName(), NatGateway.WAN, addr);
                NatGateway g = new NatGateway(
                        name,
                        netns.get(name),
                        dir.resolve(name),
                        uplink,
                        lans.get(name),
                        up,
                        gs.mapping(),
                        gs.egress());
                nodes.put(name, g);
                if (up == null) {
                    internet.addIsp(g);
                } else {
                    up.addChild(g);
                }
            } else {
                HostSpec hs = hosts.get(name);
                NatGateway gw = hs.gateway() == null ? null : (NatGateway) nodes.get(hs.gateway());
                Segment seg = gw == null ? pub : gw.lan();
                LabNode parent = gw == null ? internet : gw;
                int addr = fixed.containsKey(name) ? fixed.get(name) : seg.allocate();
                Uplink uplink = new Uplink(parent, seg, seg.nextPortName(), LabHost.IF, addr);
                LabHost h = new LabHost(name, netns.get(name), dir.resolve(name), uplink, gw);
                nodes.put(name, h);
                if (gw == null) {
                    internet.addPublic(h);
                } else {
                    gw.addChild(h);
                }
            }
        }
    }

    private static int depthOf(LabNode n) {
        return switch (n) {
            case InternetRouter r -> 0;
            case NatGateway g -> 1 + g.upstream().map(NatLabBuilder::depthOf).orElse(0);
            case LabHost h -> 1 + h.gateway().map(NatLabBuilder::depthOf).orElse(0);
        };
    }
}
