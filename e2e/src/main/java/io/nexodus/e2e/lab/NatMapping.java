package io.nexodus.e2e.lab;

/**
 * How a {@link NatGateway} chooses the public source port of outbound flows (nftables {@code masquerade}).
 * <ul>
 *   <li>{@link #easy()}: plain {@code masquerade}. Linux keeps the host's source port when it is free and reuses the
 *       mapping of an existing flow from the same source for new destinations, so the mapping is
 *       endpoint-independent while any flow from that source lives ("easy" / cone NAT).</li>
 *   <li>{@link #symmetric()}: {@code masquerade fully-random}: every new flow (5-tuple) gets a random port, so each
 *       destination sees a different mapping.</li>
 *   <li>{@link #sequential()}: every new flow (5-tuple) gets the <em>next</em> port of a window
 *       ({@code masquerade to : numgen inc mod N map { 0 : min, 1 : min+1, ... }}; the NAT chain sees only a
 *       flow's first packet, so the counter moves once per flow, for all hosts behind the gateway together). Each
 *       destination sees a different mapping, like {@link #symmetric()}, but a predictable one: the NATs that port
 *       prediction is for. The kernel's own allocators cannot do this (masquerade/snat start their search at a
 *       random or hashed offset), and a plain {@code numgen inc offset} as the port is taken in host byte order (the
 *       ports come out byte-swapped, steps of 256), hence the map. Wraps after N flows.</li>
 *   <li>{@link #withPorts(int, int)}: {@code masquerade to :min-max} for TCP/UDP. A source port outside the range
 *       is rewritten into it; flows that already exist keep their mapping until conntrack forgets them
 *       ({@link NatGateway#flushConntrack()}).</li>
 * </ul>
 * Inbound filtering is always address-and-port dependent (only replies to what a host sent pass), as in home routers.
 *
 * @param fullyRandom {@code fully-random}: a fresh random port per flow
 * @param portMin     first port of the range, 0 for none
 * @param portMax     last port of the range, 0 for none
 * @param sequentialPorts ports of the range handed out in turn, one per new flow (the range is required)
 */
public record NatMapping(boolean fullyRandom, int portMin, int portMax, boolean sequentialPorts) {
    /** The largest sequential window (the nftables map has one element per port). */
    public static final int MAX_SEQUENTIAL_PORTS = 4096;

    public NatMapping {
        if (sequentialPorts && (fullyRandom || portMin == 0 || portMax - portMin + 1 > MAX_SEQUENTIAL_PORTS)) {
            throw new IllegalArgumentException("a sequential NAT needs a window of 1.." + MAX_SEQUENTIAL_PORTS
                    + " ports and no fully-random, got " + portMin + "-" + portMax);
        }
        if (portMin != 0 || portMax != 0) {
            if (portMin < 1 || portMax > 65535 || portMin > portMax) {
                throw new IllegalArgumentException(
                        "NAT port range must be 1 <= min <= max <= 65535, got " + portMin + "-" + portMax);
            }
        }
    }

    public NatMapping(boolean fullyRandom, int portMin, int portMax) {
        this(fullyRandom, portMin, portMax, false);
    }

    /** Endpoint-independent, port-preserving where possible: {@code masquerade}. */
    public static NatMapping easy() {
        return new NatMapping(false, 0, 0);
    }

    /** A new random port per destination: {@code masquerade fully-random}. */
    public static NatMapping symmetric() {
        return new NatMapping(true, 0, 0);
    }

    /** A new port per flow, the next of 40000..40999 each time (see the class comment). */
    public static NatMapping sequential() {
        return new NatMapping(false, 40000, 40999, true);
    }

    /** The same behaviour restricted to public ports {@code min..max} for TCP and UDP (a sequential NAT's window). */
    public NatMapping withPorts(int min, int max) {
        return new NatMapping(fullyRandom, min, max, sequentialPorts);
    }

    /** Without a port range; a sequential NAT becomes an easy one (it has nothing to count through). */
    public NatMapping withoutPorts() {
        return new NatMapping(fullyRandom, 0, 0, false);
    }

    public boolean hasPortRange() {
        return portMin != 0;
    }

    /** The nftables statements for the postrouting chain, leaving through {@code wanIf}. */
    String nftRules(String wanIf) {
        String flags = fullyRandom ? " fully-random" : "";
        String all = "oifname \"" + wanIf + "\" masquerade" + flags;
        if (sequentialPorts) {
            StringBuilder map = new StringBuilder();
            for (int i = 0; i <= portMax - portMin; i++) {
                map.append(i == 0 ? "" : ", ").append(i).append(" : ").append(portMin + i);
            }
            return "oifname \"" + wanIf + "\" meta l4proto { tcp, udp } masquerade to : numgen inc mod "
                    + (portMax - portMin + 1) + " map { " + map + " }\n" + all + "\n";
        }
        if (!hasPortRange()) {
            return all + "\n";
        }
        return "oifname \"" + wanIf + "\" meta l4proto { tcp, udp } masquerade to :" + portMin + "-" + portMax + flags
                + "\n" + all + "\n";
    }

    @Override
    public String toString() {
        if (sequentialPorts) {
            return "masquerade sequential " + portMin + "-" + portMax;
        }
        return "masquerade" + (hasPortRange() ? " to :" + portMin + "-" + portMax : "")
                + (fullyRandom ? " fully-random" : "");
    }
}
