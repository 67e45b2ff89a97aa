package io.nexodus.e2e.lab;

import io.nexodus.testkit.Cmd;
import java.util.Arrays;

/**
 * A node's attachment to its upstream segment: a veth pair whose {@code port} end is a bridge port in the parent's
 * namespace and whose {@code ifName} end (eth0 for hosts, wan for gateways) carries the node's address.
 * Cutting the uplink downs the parent's end: the node keeps its address and routes but loses carrier, as when a
 * cable is pulled upstream.
 */
final class Uplink {
    private final LabNode parent;
    private final Segment segment;
    private final String port;
    private final String ifName;
    private final int initialAddress;
    private volatile int address;

    Uplink(LabNode parent, Segment segment, String port, String ifName, int address) {
        this.parent = parent;
        this.segment = segment;
        this.port = port;
        this.ifName = ifName;
        this.initialAddress = address;
        this.address = address;
    }

    LabNode parent() {
        return parent;
    }

    Segment segment() {
        return segment;
    }

    String port() {
        return port;
    }

    String ifName() {
        return ifName;
    }

    String address() {
        return Ipv4.format(address);
    }

    String initialAddress() {
        return Ipv4.format(initialAddress);
    }

    void address(int a) {
        this.address = a;
    }

    String cidr() {
        return Ipv4.format(address) + "/" + segment.subnet().prefix();
    }

    String initialCidr() {
        return Ipv4.format(initialAddress) + "/" + segment.subnet().prefix();
    }

    String router() {
        return Ipv4.format(segment.router());
    }

    void cut() {
        Cmd.run("ip", "-n", parent.namespace(), "link", "set", port, "down");
    }

    void restore() {
        Cmd.run("ip", "-n", parent.namespace(), "link", "set", port, "up");
    }

    boolean isUp() {
        String out = Cmd.run("ip", "-n", parent.namespace(), "-o", "link", "show", "dev", port)
                .stdout();
        int lt = out.indexOf('<');
        int gt = out.indexOf('>');
        return lt >= 0
                && gt > lt
                && Arrays.asList(out.substring(lt + 1, gt).split(",")).contains("UP");
    }
}
