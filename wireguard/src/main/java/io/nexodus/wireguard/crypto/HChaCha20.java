package io.nexodus.wireguard.crypto;

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): the ChaCha20 block function without the final addition, keeping
 * state words 0-3 and 12-15. It derives the XChaCha20 subkey. The JDK has ChaCha20 but not this, and it is 20
 * rounds of arithmetic, so it is written out here.
 */
public final class HChaCha20 {
    private HChaCha20() {}

    /** HChaCha20(key[32], nonce[16]) → 32-byte subkey. */
    public static byte[] subkey(byte[] key, byte[] nonce16, int nonceOffset) {
        int[] x = new int[16];
        x[0] = 0x61707865;
        x[1] = 0x3320646e;
        x[2] = 0x79622d32;
        x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = le32(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = le32(nonce16, nonceOffset + 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(x, 0, 4, 8, 12);
            quarter(x, 1, 5, 9, 13);
            quarter(x, 2, 6, 10, 14);
            quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15);
            quarter(x, 1, 6, 11, 12);
            quarter(x, 2, 7, 8, 13);
            quarter(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            putLe32(out, 4 * i, x[i]);
            putLe32(out, 16 + 4 * i, x[12 + i]);
        }
        return out;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static void putLe32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
