package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.crypto.TransportCipher;
import javax.crypto.SecretKey;

/**
 * Scratch for one batch on the data path: for each packet, the key, counter and length the crypto step needs, the
 * keypair it belongs to and the result; and the cipher the processing thread uses for its share. It travels with the
 * {@link PacketBatch} ({@link PacketBatch#deviceState()}), which is allocated once per packet thread and confined to one
 * thread at a time, so the data path needs neither a thread-local lookup nor an allocation per batch, and two devices
 * (or a device re-entered from its own transport) never share scratch that is in use.
 */
final class BatchWork {
    final SecretKey[] keys;
    final long[] counters;
    final int[] lengths;
    final Keypair[] keypairs;
    final int[] results;
    /** The distinct peers a batch went to (for once-per-batch timer bookkeeping), then cleared. */
    final Peer[] peers;

    final TransportCipher cipher = new TransportCipher();

    BatchWork(int capacity) {
        keys = new SecretKey[capacity];
        counters = new long[capacity];
        lengths = new int[capacity];
        keypairs = new Keypair[capacity];
        results = new int[capacity];
        peers = new Peer[capacity];
    }

    /** The scratch attached to {@code batch}, attached on first use (or when the batch is bigger than it). */
    static BatchWork of(PacketBatch batch) {
        if (batch.deviceState() instanceof BatchWork w && w.capacity() >= batch.capacity()) {
            return w;
        }
        BatchWork w = new BatchWork(batch.capacity());
        batch.deviceState(w);
        return w;
    }

    int capacity() {
        return keys.length;
    }

    /** Adds {@code p} to the first {@code count} of {@link #peers} unless it is there; returns the new count. */
    int touch(Peer p, int count) {
        for (int j = 0; j < count; j++) {
            if (peers[j] == p) {
                return count;
            }
        }
        peers[count] = p;
        return count + 1;
    }

    void clear(int n) {
        for (int i = 0; i < n; i++) {
            keys[i] = null;
            keypairs[i] = null;
        }
    }
}
