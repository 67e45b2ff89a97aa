package io.nexodus.wireguard.device;

/**
 * WireGuard message types, sizes and field offsets (whitepaper §5.4; all integers little-endian). Byte 0 is the type
 * and bytes 1-3 are zero, so the first four bytes read as a little-endian u32 equal the type.
 */
final class Messages {
    static final int TYPE_INITIATION = 1;
    static final int TYPE_RESPONSE = 2;
    static final int TYPE_COOKIE_REPLY = 3;
    static final int TYPE_TRANSPORT = 4;

    static final int INITIATION_SIZE = 148;
    static final int RESPONSE_SIZE = 92;
    static final int COOKIE_REPLY_SIZE = 64;
    static final int TRANSPORT_HEADER_SIZE = 16;
    static final int TAG_SIZE = 16;
    static final int KEEPALIVE_SIZE = TRANSPORT_HEADER_SIZE + TAG_SIZE; // 32, also the minimum message
    static final int MAX_MESSAGE_SIZE = 65535;

    // Initiation: type, sender, ephemeral[32], static[48], timestamp[28], mac1, mac2
    static final int INIT_SENDER = 4;
    static final int INIT_NOISE = 8;
    static final int INIT_NOISE_LENGTH = 32 + 48 + 28;
    static final int INIT_MAC1 = 116;
    static final int INIT_MAC2 = 132;

    // Response: type, sender, receiver, ephemeral[32], empty[16], mac1, mac2
    static final int RESP_SENDER = 4;
    static final int RESP_RECEIVER = 8;
    static final int RESP_NOISE = 12;
    static final int RESP_NOISE_LENGTH = 32 + 16;
    static final int RESP_MAC1 = 60;
    static final int RESP_MAC2 = 76;

    // Cookie reply: type, receiver, nonce[24], cookie[16+16]
    static final int COOKIE_RECEIVER = 4;
    static final int COOKIE_NONCE = 8;
    static final int COOKIE_ENCRYPTED = 32;

    // Transport: type, receiver, counter u64, ciphertext
    static final int DATA_RECEIVER = 4;
    static final int DATA_COUNTER = 8;

    /** Padding multiple for transport plaintext. */
    static final int PADDING_MULTIPLE = 16;

    private Messages() {}

    /** The message type if {@code buf[off, off+len)} has a valid WireGuard size for its type, else 0. */
    static int classify(byte[] buf, int off, int len) {
        if (len < KEEPALIVE_SIZE || len > MAX_MESSAGE_SIZE) {
            return 0;
        }
        int type = le32(buf, off);
        return switch (type) {
            case TYPE_INITIATION -> len == INITIATION_SIZE ? type : 0;
            case TYPE_RESPONSE -> len == RESPONSE_SIZE ? type : 0;
            case TYPE_COOKIE_REPLY -> len == COOKIE_REPLY_SIZE ? type : 0;
            case TYPE_TRANSPORT -> type;
            default -> 0;
        };
    }

    /** wireguard-go's padding: round up to 16, but never past the MTU (for a GSO super-packet, of its last segment). */
    static int paddingFor(int packetSize, int mtu) {
        int last = packetSize;
        if (mtu == 0) {
            return ((last + PADDING_MULTIPLE - 1) & ~(PADDING_MULTIPLE - 1)) - last;
        }
        if (last > mtu) {
            last %= mtu;
        }
        int padded = (last + PADDING_MULTIPLE - 1) & ~(PADDING_MULTIPLE - 1);
        if (padded > mtu) {
            padded = mtu;
        }
        return padded - last;
    }

    static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    static long le64(byte[] b, int o) {
        return (le32(b, o) & 0xffffffffL) | ((long) le32(b, o + 4) << 32);
    }

    static void putLe32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }

    static void putLe64(byte[] b, int o, long v) {
        putLe32(b, o, (int) v);
        putLe32(b, o + 4, (int) (v >>> 32));
    }
}
