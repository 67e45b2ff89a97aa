package io.nexodus.derp.frame;

/**
 * Recognises Tailscale disco packets ({@code "TS💬"} magic + 32-byte key + 24-byte nonce + box), which the server
 * queues separately and answers with PeerGone(NotHere) when their destination is unknown.
 */
public final class Disco {
    private static final byte[] MAGIC = {0x54, 0x53, (byte) 0xf0, (byte) 0x9f, (byte) 0x92, (byte) 0xac};
    private static final int MIN_LENGTH = MAGIC.length + 32 + 24;

    private Disco() {}

    public static boolean looksLikeDisco(byte[] packet) {
        if (packet.length < MIN_LENGTH) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (packet[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}
