package io.nexodus.wireguard.device;

import javax.crypto.SecretKey;

/**
 * Per-thread scratch for one batch on the data path: for each packet, the key, counter and length the crypto step
 * needs, the keypair it belongs to, and the result. Allocated once per packet thread, reused for every batch.
 */
final class BatchWork {
    final SecretKey[] keys;
    final long[] counters;
    final int[] lengths;
    final Keypair[] keypairs;
    final int[] results;

    BatchWork(int capacity) {
        keys = new SecretKey[capacity];
        counters = new long[capacity];
        lengths = new int[capacity];
        keypairs = new Keypair[capacity];
        results = new int[capacity];
    }

    int capacity() {
        return keys.length;
    }

    void clear(int n) {
        for (int i = 0; i < n; i++) {
            keys[i] = null;
            keypairs[i] = null;
        }
    }
}
