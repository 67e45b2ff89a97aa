package io.nexodus.e2e.lab;

/**
 * What a {@link NatGateway} lets through between its LAN and its WAN. The rules sit in the forward chain before the
 * "established" rule, so changing the policy also cuts flows that are already running, as a firewall reload would.
 */
public enum Egress {
    /** Everything out; back in only replies (an ordinary home NAT). */
    OPEN,
    /** No UDP in either direction; other protocols as {@link #OPEN}. */
    NO_UDP,
    /** Only TCP to port 443 out, and its replies back (a strict corporate firewall). */
    TCP_443_ONLY;

    /** Forward-chain rules for traffic from {@code lanIf} to {@code wanIf} and back. */
    String nftRules(String lanIf, String wanIf) {
        String out = "iifname \"" + lanIf + "\" oifname \"" + wanIf + "\" ";
        String in = "iifname \"" + wanIf + "\" oifname \"" + lanIf + "\" ";
        return switch (this) {
            case OPEN -> "";
            case NO_UDP -> out + "meta l4proto udp drop\n" + in + "meta l4proto udp drop\n";
            case TCP_443_ONLY ->
                out + "meta l4proto != tcp drop\n" + out + "tcp dport != 443 drop\n" + in + "meta l4proto != tcp drop\n"
                        + in + "tcp sport != 443 drop\n";
        };
    }
}
