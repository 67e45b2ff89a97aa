package io.nexodus.netstack;

/** TCP sequence-number comparisons modulo 2^32 (RFC 9293 section 3.4): {@code a < b} iff {@code (a - b) < 0}. */
final class Seq {
    private Seq() {}

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }
}
