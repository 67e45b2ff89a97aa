package io.nexodus.netstack;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link NetStack} is set up. {@link #defaults} gives the values docs/netstack.md explains; the {@code with*}
 * methods change one group of them, a {@link Builder} any.
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

    /** The values docs/netstack.md explains, for these addresses. */
    public static NetStackConfig defaults(List<InetAddress> addresses) {
        return new Builder(addresses).build();
    }

    public NetStackConfig withMtu(int mtu) {
        return toBuilder().mtu(mtu).build();
    }

    public NetStackConfig withBuffers(int sendBuffer, int receiveBuffer) {
        return toBuilder().sendBuffer(sendBuffer).receiveBuffer(receiveBuffer).build();
    }

    public NetStackConfig withMaxConnections(int maxConnections) {
        return toBuilder().maxConnections(maxConnections).build();
    }

    public NetStackConfig withTimeWait(Duration timeWait, Duration finWait2Timeout) {
        return toBuilder().timeWait(timeWait).finWait2Timeout(finWait2Timeout).build();
    }

    public NetStackConfig withKeepalive(Duration idle, Duration interval, int probes) {
        return toBuilder()
                .keepaliveIdle(idle)
                .keepaliveInterval(interval)
                .keepaliveProbes(probes)
                .build();
    }

    public NetStackConfig withRetransmits(int maxRetransmits, int maxSynRetransmits) {
        return toBuilder()
                .maxRetransmits(maxRetransmits)
                .maxSynRetransmits(maxSynRetransmits)
                .build();
    }

    public NetStackConfig withUdpQueue(int udpQueue) {
        return toBuilder().udpQueue(udpQueue).build();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder(addresses);
        b.mtu = mtu;
        b.sendBuffer = sendBuffer;
        b.receiveBuffer = receiveBuffer;
        b.maxConnections = maxConnections;
        b.rtoInitial = rtoInitial;
        b.rtoMin = rtoMin;
        b.rtoMax = rtoMax;
        b.maxRetransmits = maxRetransmits;
        b.maxSynRetransmits = maxSynRetransmits;
        b.timeWait = timeWait;
        b.finWait2Timeout = finWait2Timeout;
        b.keepaliveIdle = keepaliveIdle;
        b.keepaliveInterval = keepaliveInterval;
        b.keepaliveProbes = keepaliveProbes;
        b.udpQueue = udpQueue;
        return b;
    }

    /** Starts from {@link #defaults}; each setter changes one value, {@link #build} checks them together. */
    public static final class Builder {
        private final List<InetAddress> addresses;
        private int mtu = 1420;
        private int sendBuffer = 256 * 1024;
        private int receiveBuffer = 256 * 1024;
        private int maxConnections = 4096;
        private Duration rtoInitial = Duration.ofSeconds(1);
        private Duration rtoMin = Duration.ofMillis(200);
        private Duration rtoMax = Duration.ofSeconds(60);
        private int maxRetransmits = 15;
        private int maxSynRetransmits = 6;
        private Duration timeWait = Duration.ofSeconds(60);
        private Duration finWait2Timeout = Duration.ofSeconds(60);
        private Duration keepaliveIdle = Duration.ofHours(2);
        private Duration keepaliveInterval = Duration.ofSeconds(75);
        private int keepaliveProbes = 9;
        private int udpQueue = 256;

        public Builder(List<InetAddress> addresses) {
            this.addresses = addresses;
        }

        public Builder mtu(int v) {
            mtu = v;
            return this;
        }

        public Builder sendBuffer(int v) {
            sendBuffer = v;
            return this;
        }

        public Builder receiveBuffer(int v) {
            receiveBuffer = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder rtoInitial(Duration v) {
            rtoInitial = v;
            return this;
        }

        public Builder rtoMin(Duration v) {
            rtoMin = v;
            return this;
        }

        public Builder rtoMax(Duration v) {
            rtoMax = v;
            return this;
        }

        public Builder maxRetransmits(int v) {
            maxRetransmits = v;
            return this;
        }

        public Builder maxSynRetransmits(int v) {
            maxSynRetransmits = v;
            return this;
        }

        public Builder timeWait(Duration v) {
            timeWait = v;
            return this;
        }

        public Builder finWait2Timeout(Duration v) {
            finWait2Timeout = v;
            return this;
        }

        public Builder keepaliveIdle(Duration v) {
            keepaliveIdle = v;
            return this;
        }

        public Builder keepaliveInterval(Duration v) {
            keepaliveInterval = v;
            return this;
        }

        public Builder keepaliveProbes(int v) {
            keepaliveProbes = v;
            return this;
        }

        public Builder udpQueue(int v) {
            udpQueue = v;
            return this;
        }

        public NetStackConfig build() {
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
}
