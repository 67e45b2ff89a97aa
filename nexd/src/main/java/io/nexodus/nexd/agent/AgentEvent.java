package io.nexodus.nexd.agent;

import io.nexodus.api.model.Device;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.peering.DerpRelay;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * An input of the running agent. Every thread that learns something (the watch stream, STUN, the endpoint publisher,
 * a re-registration) posts one of these to {@link AgentLoop}; only the loop's thread acts on them.
 */
sealed interface AgentEvent {
    /** The devices, security groups or relay metadata changed (or became synced): peers or rules may need an update. */
    record WatchChanged() implements AgentEvent {}

    /** The watch stream saw a device deleted; when it is this device, the agent stops peering. */
    record DeviceDeleted(UUID deviceId) implements AgentEvent {}

    /** The service refused the device token on the watch stream: it forgot this device. */
    record TokenRejected() implements AgentEvent {}

    /** STUN saw a new mapping or NAT verdict. */
    record NatChanged(NatObservation nat) implements AgentEvent {}

    /**
     * The service's public DERP relay, fetched after the watch stream (re)connected, with the addresses its name
     * resolved to (resolved off the loop's thread; they bypass an exit node).
     */
    record PublicRelay(Optional<DerpRelay> relay, List<InetAddress> addresses) implements AgentEvent {
        public PublicRelay {
            addresses = List.copyOf(addresses);
        }

        PublicRelay(Optional<DerpRelay> relay) {
            this(relay, List.of());
        }
    }

    /** A re-registration after {@link TokenRejected} succeeded. */
    record Reattached(Registration.Joined joined) implements AgentEvent {}

    /**
     * A re-registration after {@link TokenRejected} failed for good (the service refused it); {@code deviceDeleted}
     * when the refusal says an administrator deleted this device while we were away.
     */
    record ReattachFailed(String reason, boolean deviceDeleted) implements AgentEvent {}

    /** The service accepted our endpoints and returned the updated device. */
    record EndpointsPublished(Device device) implements AgentEvent {}

    /**
     * {@code nexctl nexd exit-node enable|disable}: use the exit node {@code selector} (empty: stop using one); the
     * loop completes {@code reply} with a line for the user, or with the refusal.
     */
    record ExitNodeRequest(Optional<String> selector, CompletableFuture<String> reply) implements AgentEvent {}

    /** The tick interval passed without another event, or {@code nexd} asks for a sample of the data plane. */
    record Tick() implements AgentEvent {}

    WatchChanged WATCH_CHANGED = new WatchChanged();
    Tick TICK = new Tick();
}
