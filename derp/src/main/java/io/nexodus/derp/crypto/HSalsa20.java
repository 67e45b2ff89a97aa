package io.nexodus.derp.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.util.Pack;

/**
 * HSalsa20 (the XSalsa20 paper, section 2): the Salsa20 core without its final feed-forward, keeping words 0, 5, 10,
 * 15, 6, 7, 8 and 9. BouncyCastle has no public HSalsa20, but its public {@code salsaCore} adds the input back, so
 * subtracting the input gives the raw rounds.
 */
final class HSalsa20 {
    // "expand 32-byte k"
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    private static final int[] OUTPUT_WORDS = {0, 5, 10, 15, 6, 7, 8, 9};

    private HSalsa20() {}

    /** HSalsa20(key, nonce16): 32 bytes. */
    static byte[] derive(byte[] key, byte[] nonce16) {
        if (key.length != 32 || nonce16.length != 16) {
            throw new IllegalArgumentException("HSalsa20 takes a 32-byte key and a 16-byte input");
        }
        int[] in = new int[16];
        in[0] = SIGMA[0];
        in[5] = SIGMA[1];
        in[10] = SIGMA[2];
        in[15] = SIGMA[3];
        for (int i = 0; i < 4; i++) {
            in[1 + i] = Pack.littleEndianToInt(key, 4 * i);
            in[11 + i] = Pack.littleEndianToInt(key, 16 + 4 * i);
            in[6 + i] = Pack.littleEndianToInt(nonce16, 4 * i);
        }
        int[] x = new int[16];
        Salsa20Engine.salsaCore(20, in, x);
        byte[] out = new byte[32];
        for (int i = 0; i < OUTPUT_WORDS.length; i++) {
            int w = OUTPUT_WORDS[i];
            Pack.intToLittleEndian(x[w] - in[w], out, 4 * i);
        }
        Arrays.fill(in, 0);
        Arrays.fill(x, 0);
        return out;
    }
}
