package io.nexodus.server.relay;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.server.ClientVerifier;
import io.nexodus.derp.server.DeliveryPolicy;
import io.nexodus.server.DeviceKeys;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public DERP relay's view of the devices: which VPC each registered WireGuard key belongs to, in memory so the
 * per-packet {@link DeliveryPolicy} answers without the database. It admits only registered devices' keys
 * ({@link ClientVerifier}, asking the database, once per connection) and delivers a packet only between two devices of
 * the same VPC.
 *
 * <p>{@link #refresh} (every half second, from the relay) reloads the view when the devices' revision moved (any
 * registration, change, move or deletion, on any replica: they share the database) and returns the keys that are gone,
 * whose connections the relay then closes. A key missing from the view (registered since the last reload) is looked up
 * once and remembered until the next reload; only keys already admitted or connected reach that lookup, so a stranger
 * cannot make the relay query the database per packet. When the database cannot answer, the last view stays in force
 * and keys it does not know are refused.
 */
final class DeviceDirectory implements DeliveryPolicy, ClientVerifier {
    private static final Logger log = LoggerFactory.getLogger(DeviceDirectory.class);

    private record View(long revision, Map<NodePublicKey, UUID> vpcs) {}

    private final DeviceKeys devices;
    private volatile View view = new View(Long.MIN_VALUE, Map.of());
    private final Map<NodePublicKey, Optional<UUID>> sinceReload = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    DeviceDirectory(DeviceKeys devices) {
        this.devices = devices;
    }

    /** Reloads if the devices changed; returns the keys no longer registered (to disconnect). */
    Set<NodePublicKey> refresh() {
        try {
            long revision = devices.revision();
            View old = view;
            if (revision == old.revision()) {
                return Set.of();
            }
            View next = new View(revision, Map.copyOf(devices.all()));
            view = next;
            sinceReload.clear();
            Set<NodePublicKey> gone = new HashSet<>(old.vpcs().keySet());
            gone.removeAll(next.vpcs().keySet());
            warned.set(false);
            return gone;
        } catch (RuntimeException e) {
            warnOnce(e);
            return Set.of();
        }
    }

    /** The VPC of a registered device's key, or null. */
    UUID vpcOf(NodePublicKey key) {
        UUID vpc = view.vpcs().get(key);
        if (vpc != null) {
            return vpc;
        }
        return sinceReload
                .computeIfAbsent(key, k -> {
                    try {
                        return devices.vpcOf(k);
                    } catch (RuntimeException e) {
                        warnOnce(e);
                        return Optional.empty();
                    }
                })
                .orElse(null);
    }

    /** Admission asks the database itself (once per connection): a key deleted a moment ago is refused at once. */
    @Override
    public boolean admit(NodePublicKey key, InetSocketAddress remote) {
        boolean known;
        try {
            known = devices.vpcOf(key).isPresent();
        } catch (RuntimeException e) {
            warnOnce(e);
            return false;
        }
        if (!known) {
            log.debug("DERP client {} from {} is not a registered device: refused", key, remote);
        }
        return known;
    }

    @Override
    public boolean mayDeliver(NodePublicKey src, NodePublicKey dst) {
        UUID a = vpcOf(src);
        return a != null && a.equals(vpcOf(dst));
    }

    private void warnOnce(RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            log.warn(
                    "cannot read the devices for the DERP relay ({}): keeping the last view, refusing keys it lacks",
                    e.getMessage());
        }
    }
}
