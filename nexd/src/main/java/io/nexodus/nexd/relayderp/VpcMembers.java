package io.nexodus.nexd.relayderp;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.server.ClientVerifier;
import io.nexodus.derp.server.DeliveryPolicy;
import io.nexodus.derp.server.DerpServer;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who an onboarded relay serves: the devices of its VPC, as the relay's own agent sees them through the watch. A key
 * is admitted (once per connection) and a packet delivered (per packet, from a volatile set: no lock, no lookup
 * elsewhere) only when it belongs to a device of the VPC; packets between two VPC devices only. Until the agent
 * delivers the VPC's first device list nothing is admitted (fail closed: the relay starts serving a moment before it
 * has joined). {@link #update} returns the keys that left the VPC, whose connections the caller closes.
 * <p>
 * A relay run without {@code --onboard} serves anyone who connects (a public relay an administrator lists), as
 * Tailscale's derper does without {@code --verify-clients}.
 */
public final class VpcMembers implements ClientVerifier, DeliveryPolicy {
    private static final Logger log = LoggerFactory.getLogger(VpcMembers.class);
    private volatile Set<NodePublicKey> members = Set.of();
    private volatile boolean known;

    @Override
    public boolean admit(NodePublicKey key, InetSocketAddress remote) {
        return members.contains(key);
    }

    @Override
    public boolean mayDeliver(NodePublicKey src, NodePublicKey dst) {
        Set<NodePublicKey> m = members;
        return m.contains(src) && m.contains(dst);
    }

    /** The VPC's device keys now; returns the keys that were members and are not any more. */
    public synchronized Set<NodePublicKey> update(Set<NodePublicKey> keys) {
        Set<NodePublicKey> gone = new HashSet<>(members);
        gone.removeAll(keys);
        members = Set.copyOf(keys);
        known = true;
        return gone;
    }

    /**
     * Takes the VPC's device keys as the relay's agent has them (empty: no list yet, nothing changes) and disconnects
     * the keys that left. Never throws (the caller runs it on a schedule).
     */
    public void refresh(Optional<Set<String>> deviceKeys, DerpServer server) {
        try {
            if (deviceKeys.isEmpty()) {
                return;
            }
            Set<NodePublicKey> parsed = new HashSet<>();
            for (String k : deviceKeys.get()) {
                try {
                    parsed.add(NodePublicKey.fromBase64(k));
                } catch (IllegalArgumentException e) {
                    // a key that is no X25519 key cannot connect anyway
                }
            }
            boolean first = !known;
            for (NodePublicKey gone : update(parsed)) {
                if (server.evict(gone) > 0) {
                    log.info("relay: device key {} left the VPC: disconnected", gone);
                }
            }
            if (first) {
                log.info("relay: serving the VPC's {} devices only", parsed.size());
            }
        } catch (RuntimeException e) {
            log.warn("relay: taking the VPC's devices failed: {}", e.toString());
        }
    }

    /** Whether the first device list arrived (before it, every key is refused). */
    public boolean known() {
        return known;
    }

    public int size() {
        return members.size();
    }
}
