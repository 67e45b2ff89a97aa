package io.nexodus.packetfilter;

import java.time.Duration;

/**
 * How long a tracked flow lives without packets, by state. {@link #LINUX} are Linux conntrack's defaults
 * ({@code nf_conntrack_tcp_timeout_*}, {@code nf_conntrack_udp_timeout[_stream]}, {@code
 * nf_conntrack_icmp_timeout}, {@code nf_conntrack_generic_timeout}); our TCP states are fewer (see {@link FlowState}):
 * FIN_WAIT stands for Linux's FIN_WAIT/CLOSE_WAIT/LAST_ACK, TIME_WAIT starts when both sides have sent FIN.
 */
public record Timeouts(
        Duration tcpSynSent,
        Duration tcpSynReceived,
        Duration tcpEstablished,
        Duration tcpFinWait,
        Duration tcpTimeWait,
        Duration tcpClose,
        Duration udpUnreplied,
        Duration udpReplied,
        Duration icmpEcho,
        Duration other) {

    /** Linux's defaults: SYN_SENT 120 s, SYN_RECV 60 s, ESTABLISHED 5 days, FIN 120 s, TIME_WAIT 120 s, CLOSE 10 s,
     * UDP 30 s (unreplied) / 120 s (replied, Linux's "stream"), ICMP echo 30 s, other protocols 600 s. */
    public static final Timeouts LINUX = new Timeouts(
            Duration.ofSeconds(120),
            Duration.ofSeconds(60),
            Duration.ofDays(5),
            Duration.ofSeconds(120),
            Duration.ofSeconds(120),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(120),
            Duration.ofSeconds(30),
            Duration.ofSeconds(600));

    /** Nanoseconds per {@link FlowState} state number. */
    long[] byState() {
        long[] t = new long[FlowState.STATES];
        t[FlowState.TCP_SYN_SENT] = tcpSynSent.toNanos();
        t[FlowState.TCP_SYN_RECV] = tcpSynReceived.toNanos();
        t[FlowState.TCP_ESTABLISHED] = tcpEstablished.toNanos();
        t[FlowState.TCP_FIN_WAIT] = tcpFinWait.toNanos();
        t[FlowState.TCP_TIME_WAIT] = tcpTimeWait.toNanos();
        t[FlowState.TCP_CLOSE] = tcpClose.toNanos();
        t[FlowState.UDP_UNREPLIED] = udpUnreplied.toNanos();
        t[FlowState.UDP_REPLIED] = udpReplied.toNanos();
        t[FlowState.ICMP_ECHO] = icmpEcho.toNanos();
        t[FlowState.OTHER_UNREPLIED] = other.toNanos();
        t[FlowState.OTHER_REPLIED] = other.toNanos();
        return t;
    }
}
