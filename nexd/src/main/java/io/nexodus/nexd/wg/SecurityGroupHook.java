package io.nexodus.nexd.wg;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.packetfilter.Direction;
import io.nexodus.packetfilter.StatefulFilter;
import io.nexodus.wireguard.device.PacketFilter;

/**
 * The built-in device's packet-filter hook backed by a {@link StatefulFilter}: every packet between the interface and
 * a peer is decided by the security group in force. Runs on the device's packet threads (see {@link PacketFilter});
 * {@link StatefulFilter#decide} is built for them (thread-safe, allocation-free for established flows).
 */
public final class SecurityGroupHook implements PacketFilter {
    private final StatefulFilter filter;

    /** Public for the throughput benchmark, which measures exactly this hook in a bare device. */
    public SecurityGroupHook(StatefulFilter filter) {
        this.filter = filter;
    }

    @Override
    public Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length) {
        return decide(Direction.INBOUND, buf, offset, length);
    }

    @Override
    public Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length) {
        return decide(Direction.OUTBOUND, buf, offset, length);
    }

    private Verdict decide(Direction direction, byte[] buf, int offset, int length) {
        return filter.decide(direction, buf, offset, length, System.nanoTime()).accepted()
                ? Verdict.ACCEPT
                : Verdict.DROP;
    }
}
