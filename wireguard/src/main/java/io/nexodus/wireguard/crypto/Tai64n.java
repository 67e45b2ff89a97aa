package io.nexodus.wireguard.crypto;

import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps (12 bytes, big-endian): {@code 0x400000000000000a + unix seconds}, then nanoseconds. The low 24
 * bits of the nanoseconds are cleared, as wireguard-go does, so the timestamp does not leak fine-grained timing.
 */
public final class Tai64n {
    public static final int LENGTH = 12;
    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0xFFFFFF;

    private Tai64n() {}

    public static byte[] of(Instant t) {
        long secs = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        byte[] out = new byte[LENGTH];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
        return out;
    }

    /** True if {@code a} is strictly later than {@code b} (big-endian unsigned compare of the 12 bytes). */
    public static boolean after(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) > 0;
    }
}
