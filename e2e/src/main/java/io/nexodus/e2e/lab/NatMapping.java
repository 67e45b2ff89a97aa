package io.nexodus.e2e.lab;

/**
 * How a {@link NatGateway} chooses the public source port of outbound flows (nftables {@code masquerade}).
 * <ul>
 *   <li>{@link #easy()}: plain {@code masquerade}. Linux keeps the host's source port when it is free and reuses the
 *       mapping of an existing flow from the same source for new destinations, so the mapping is
 *       endpoint-independent while any flow from that source lives ("easy" / cone NAT).</li>
 *   <li>{@link #symmetric()}: {@code masquerade fully-random}: every new flow (5-tuple) gets a random port, so each
 *       destination sees a different mapping.</li>
 *   <li>{@link #withPorts(int, int)}: {@code masquerade to :min-max} for TCP/UDP. A source port outside the range
 *       is rewritten into it; flows that already exist keep their mapping until conntrack forgets them
 *       ({@link NatGateway#flushConntrack()}).</li>
 * </ul>
 * Inbound filtering is always address-and-port dependent (only replies to what a host sent pass), as in home routers.
 *
 * @param fullyRandom {@code fully-random}: a fresh random port per flow
 * @param portMin     first port of the range, 0 for none
 * @param portMax     last port of the range, 0 for none
 */
public record NatMapping(boolean fullyRandom, int portMin, int portMax) {
    public NatMapping {
        if (portMin != 0 || portMax != 0) {
            if (portMin < 1 || portMax > 65535 || portMin > portMax) {
                throw new IllegalArgumentException(
                        "NAT port range must be 1 <= min <= max <= 65535, got " + portMin + "-" + portMax);
            }
        }
    }

    /** Endpoint-independent, port-preserving where possible: {@code masquerade}. */
    public static NatMapping easy() {
        return new NatMapping(false, 0, 0);
    }

    /** A new random port per destination: {@code masquerade fully-random}. */
    public static NatMapping symmetric() {
        return new NatMapping(true, 0, 0);
    }

    /** The same behaviour restricted to public ports {@code min..max} for TCP and UDP. */
    public NatMapping withPorts(int min, int max) {
        return new NatMapping(fullyRandom, min, max);
    }

    public NatMapping withoutPorts() {
        return new NatMapping(fullyRandom, 0, 0);
    }

    public boolean hasPortRange() {
        return portMin != 0;
    }

    /** The nftables statements for the postrouting chain, leaving through {@code wanIf}. */
    String nftRules(String wanIf) {
        String flags = fullyRandom ? " fully-random" : "";
        String all = "oifname \"" + wanIf + "\" masquerade" + flags;
        if (!hasPortRange()) {
            return all + "\n";
        }
        return "oifname \"" + wanIf + "\" meta l4proto { tcp, udp } masquerade to :" + portMin + "-" + portMax + flags
                + "\n" + all + "\n";
    }

    @Override
    public String toString() {
        return "masquerade" + (hasPortRange() ? " to :" + portMin + "-" + portMax : "")
                + (fullyRandom ? " fully-random" : "");
    }
}
