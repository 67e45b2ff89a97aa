package io.nexodus.e2e.lab;

import io.nexodus.testkit.Netns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The "internet": one router namespace with two public segments, each a bridge with the router at {@code .1}:
 * {@value #PUBLIC_SUBNET} ({@code pub}) for public hosts and {@value #ISP_SUBNET} ({@code isp}) for the WAN side of
 * NAT gateways. It forwards between them and knows no private address, so nothing reaches a LAN except through
 * its gateway's NAT.
 */
public final class InternetRouter extends LabNode {
    public static final String NAME = "internet";
    public static final String PUBLIC_SUBNET = "203.0.113.0/24";
    public static final String ISP_SUBNET = "198.51.100.0/24";

    private final Segment publicSegment;
    private final Segment ispSegment;
    private final List<LabNode> publicChildren = new ArrayList<>();
    private final List<LabNode> ispChildren = new ArrayList<>();

    InternetRouter(Netns netns, Path dir, Segment publicSegment, Segment ispSegment) {
        super(NAME, netns, dir, Ipv4.format(publicSegment.router()));
        this.publicSegment = publicSegment;
        this.ispSegment = ispSegment;
    }

    public String publicSubnet() {
        return publicSegment.subnet().toString();
    }

    public String ispSubnet() {
        return ispSegment.subnet().toString();
    }

    Segment publicSegment() {
        return publicSegment;
    }

    Segment ispSegment() {
        return ispSegment;
    }

    void addPublic(LabNode n) {
        publicChildren.add(n);
    }

    void addIsp(LabNode n) {
        ispChildren.add(n);
    }

    @Override
    String setupScript() {
        return Plumbing.segmentScript(publicSegment, publicChildren)
                + Plumbing.segmentScript(ispSegment, ispChildren)
                + Plumbing.routerSysctls();
    }

    @Override
    void restore() {
        // Nothing a scenario changes lives here: the child ends of links are restored by their nodes.
        etc().reset();
    }

    @Override
    String describeLine() {
        return String.format(
                "%-8s %-14s %s (pub), %s (isp), router .1 on both", name(), "router", publicSubnet(), ispSubnet());
    }
}
