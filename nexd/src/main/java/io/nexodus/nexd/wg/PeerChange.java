package io.nexodus.nexd.wg;

/** One change to the device's peers. */
public sealed interface PeerChange {
    String publicKey();

    /**
     * Create or update the entry. {@code setEndpoint} false leaves the entry's endpoint alone (it may have roamed);
     * {@code recreate} removes the entry first, which drops its session so the next packet starts a new handshake
     * right away (WireGuard itself waits up to 5 s between initiations); {@code nudge} makes the entry send a
     * keepalive now (persistent keepalive switched off and on, which WireGuard answers with a keepalive), so a new
     * endpoint hears from us at once and a NAT in front of it opens for the peer's packets.
     */
    record Upsert(PeerEntry entry, boolean setEndpoint, boolean recreate, boolean nudge) implements PeerChange {
        public Upsert(PeerEntry entry, boolean setEndpoint, boolean recreate) {
            this(entry, setEndpoint, recreate, false);
        }

        @Override
        public String publicKey() {
            return entry.publicKey();
        }
    }

    record Remove(String publicKey) implements PeerChange {}
}
