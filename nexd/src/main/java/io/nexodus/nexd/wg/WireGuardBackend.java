package io.nexodus.nexd.wg;

import io.nexodus.packetfilter.StatefulFilter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The WireGuard data plane nexd drives: the in-process Java implementation ({@link JavaBackend}, the default) or any
 * UAPI implementation such as wireguard-go ({@link UapiBackend}, {@code NEXD_USE_WIREGUARD_GO=1}). Either way the
 * interface answers {@code wg show}. The interface's addresses and routes are not the backend's business
 * ({@code io.nexodus.nexd.net}).
 */
public interface WireGuardBackend extends AutoCloseable {
    /** The tunnel interface name. */
    String interfaceName();

    /** The UDP port WireGuard listens on. */
    int listenPort();

    /** Our public key (base64). */
    String publicKey();

    /** Applies the changes in order. */
    void apply(List<PeerChange> changes) throws BackendException;

    /** Every peer entry's counters, by public key (base64). */
    Map<String, PeerCounters> peers() throws BackendException;

    /**
     * A socket STUN can use. The in-process backend shares the WireGuard socket; a separate backend (wireguard-go) has
     * none to share and returns empty (nexd then uses a socket of its own, whose NAT mapping may differ).
     */
    Optional<DatagramPort> sharedSocket();

    /**
     * Puts {@code filter} in the packet path (inbound after decryption, outbound before encryption), replacing any
     * earlier one, and returns true; returns false when this backend cannot filter packets (wireguard-go: its packets
     * never pass through nexd), in which case nexd enforces security groups with nftables instead.
     */
    default boolean enforce(StatefulFilter filter) {
        return false;
    }

    /**
     * Sets the firewall mark (SO_MARK) on WireGuard's own UDP packets, 0 to clear it: an exit node's client routes
     * everything unmarked into the tunnel ({@code net.ExitRouting}), so the encrypted packets must carry it.
     */
    void setFwmark(int mark) throws BackendException;

    /** Short description for logs, e.g. "in-process Java WireGuard". */
    String describe();

    /** Removes the interface and releases the socket. Idempotent. */
    @Override
    void close();
}
