package io.nexodus.e2e.lab;

import java.util.BitSet;

/**
 * One layer-2 network of the lab: a Linux bridge inside its owner's namespace (the internet router or a gateway),
 * with the owner as router at the first host address and the lab's nodes allocated from host number 10 upward.
 */
final class Segment {
    private static final int FIRST_ALLOCATED = 10;

    private final String bridge;
    private final Ipv4.Subnet subnet;
    private final BitSet used = new BitSet();
    private int nextPort;

    Segment(String bridge, Ipv4.Subnet subnet) {
        this.bridge = bridge;
        this.subnet = subnet;
        used.set(1); // the router
    }

    String bridge() {
        return bridge;
    }

    Ipv4.Subnet subnet() {
        return subnet;
    }

    int router() {
        return subnet.host(1);
    }

    /** Reserves a fixed address; fails if it is outside the subnet or taken. */
    synchronized int reserve(String address) {
        int a = Ipv4.parse(address);
        if (!subnet.contains(a) || a == subnet.network() || a == subnet.broadcast()) {
            throw new IllegalArgumentException(address + " is not a host address of " + subnet);
        }
        int n = a - subnet.network();
        if (used.get(n)) {
            throw new IllegalArgumentException(address + " is already used in " + subnet);
        }
        used.set(n);
        return a;
    }

    /** The next free address from host number 10 upward. */
    synchronized int allocate() {
        for (int n = FIRST_ALLOCATED; ; n++) {
            int a = subnet.host(n); // throws when the subnet is full
            if (!used.get(n)) {
                used.set(n);
                return a;
            }
        }
    }

    synchronized void release(int address) {
        used.clear(address - subnet.network());
    }

    /** A fresh name for the bridge port of the next attachment: unique inside the owner's namespace. */
    synchronized String nextPortName() {
        return bridge + "-p" + nextPort++;
    }
}
