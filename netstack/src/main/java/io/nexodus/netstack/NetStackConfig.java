package io.nexodus.netstack;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link NetStack} is set up. {@link #defaults} gives the values docs/netstack.md explains; the {@code with*}
 * methods change one group of them.
 *
 * @param addresses the stack's own addresses (IPv4 and/or IPv6); packets to others are dropped
 * @param mtu the link MTU; the TCP MSS offered is derived from it (1420 = WireGuard's default)
 * @param sendBuffer bytes a TCP connection holds written but not yet acknowledged
 * @param receiveBuffer bytes a TCP connection holds received but not yet read (its largest window)
 * @param maxConnections TCP connections in the table (any state but LISTEN); SYNs beyond are dropped
 * @param rtoInitial RTO before the first RTT sample (RFC 6298: 1 s)
 * @param rtoMin lower bound of the RTO (RFC 6298 says 1 s; we use 200 ms like Linux, see docs/netstack.md)
 * @param rtoMax upper bound of the RTO and of persist probes' interval
 * @param maxRetransmits timeouts in a row after which an established connection is aborted
 * @param maxSynRetransmits SYN/SYN-ACK retransmissions before a connect fails or a half-open connection is dropped
 * @param timeWait how long TIME_WAIT lasts (2*MSL)
 * @param finWait2Timeout how long a connection the application closed may wait in FIN_WAIT_2 for the peer's FIN
 * @param keepaliveIdle idle time before the first keepalive probe (only for sockets that enable keepalive)
 * @param keepaliveInterval time between unanswered probes
 * @param keepaliveProbes unanswered probes after which the connection is aborted
 * @param udpQueue datagrams a UDP socket queues before dropping
 */
public record NetStackConfig(
        List<InetAddress> addresses,
        int mtu,
        int sendBuffer,
        int receiveBuffer,
        int maxConnections,
        Duration rtoInitial,
        Duration rtoMin,
        Duration rtoMax,
        int maxRetransmits,
        int maxSynRetransmits,
        Duration timeWait,
        Duration finWait2Timeout,
        Duration keepaliveIdle,
        Duration keepaliveInterval,
        int keepaliveProbes,
        int udpQueue) {

    public NetStackConfig {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a stack needs at least one address");
        }
        if (mtu < 1280 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be within 1280..65535: " + mtu);
        }
        if (sendBuffer < 1 || receiveBuffer < 1 || maxConnections < 1 || udpQueue < 1) {
            throw new IllegalArgumentException("buffers, table and queue sizes must be positive");
        }
        if (receiveBuffer > (1 << 30)) {
            throw new IllegalArgumentException("receive buffer above 1 GiB (the largest scaled window)");
        }
    }

    public static NetStackConfig defaults(List<InetAddress> addresses) {
        return new NetStackConfig(
                addresses,
                1420,
                256 * 1024,
                256 * 1024,
                4096,
                Duration.ofSeconds(1),
                Duration.ofMillis(200),
                Duration.ofSeconds(60),
                15,
                6,
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                Duration.ofHours(2),
                Duration.ofSeconds(75),
                9,
                256);
    }

    public NetStackConfig withMtu(int mtu) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }

    public NetStackConfig withBuffers(int sendBuffer, int receiveBuffer) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }

    public NetStackConfig withMaxConnections(int maxConnections) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }

    public NetStackConfig withTimeWait(Duration timeWait, Duration finWait2Timeout) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }

    public NetStackConfig withKeepalive(Duration idle, Duration interval, int probes) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                idle,
                interval,
                probes,
                udpQueue);
    }

    public NetStackConfig withRetransmits(int maxRetransmits, int maxSynRetransmits) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }

    public NetStackConfig withUdpQueue(int udpQueue) {
        return new NetStackConfig(
                addresses,
                mtu,
                sendBuffer,
                receiveBuffer,
                maxConnections,
                rtoInitial,
                rtoMin,
                rtoMax,
                maxRetransmits,
                maxSynRetransmits,
                timeWait,
                finWait2Timeout,
                keepaliveIdle,
                keepaliveInterval,
                keepaliveProbes,
                udpQueue);
    }
}
