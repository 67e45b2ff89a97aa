package io.nexodus.nexd.wg;

/** One change to the device's peers. */
public sealed interface PeerChange {
    String publicKey();

    /**
     * Create or update the entry. {@code setEndpoint} false leaves the entry's endpoint alone (it may have roamed);
     * {@code recreate} removes the entry first, which drops its session so the next packet starts a new handshake
     * right away (WireGuard itself waits up to 5 s between initiations).
     */
    record Upsert(PeerEntry entry, boolean setEndpoint, boolean recreate) implements PeerChange {
        @Override
        public String publicKey() {
            return entry.publicKey();
        }
    }

    record Remove(String publicKey) implements PeerChange {}
}
