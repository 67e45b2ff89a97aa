package io.nexodus.wireguard.device;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Local session indices (the receiver field of incoming messages) mapped to handshakes and keypairs. An index is 32
 * random bits whose low bits pick a free slot of a power-of-two table, so lookups are one array read and a compare,
 * without hashing, boxing or locks. The table doubles when half full; distinct low bits stay distinct under a wider
 * mask, so existing indices keep working.
 * <p>
 * One value is never handed out: {@link #STUN_COOKIE_INDEX}, whose little-endian bytes are the STUN magic cookie,
 * so that no WireGuard message addressed to us looks like STUN to the UDP demultiplexer.
 */
final class IndexTable {
    /** Bytes 21 12 a4 42 read as little-endian u32. */
    static final int STUN_COOKIE_INDEX = 0x42a41221;

    /** What an index points at: a pending handshake or, once derived, a keypair. */
    record Entry(int index, Peer peer, Keypair keypair) {}

    private final SecureRandom random = new SecureRandom();
    private volatile AtomicReferenceArray<Entry> table = new AtomicReferenceArray<>(64);
    private int size;

    /** Reserves a fresh index for {@code peer}'s handshake. */
    synchronized int newIndex(Peer peer) {
        if ((size + 1) * 2 > table.length()) {
            grow();
        }
        AtomicReferenceArray<Entry> t = table;
        int mask = t.length() - 1;
        while (true) {
            int candidate = random.nextInt();
            if (candidate == STUN_COOKIE_INDEX || t.get(candidate & mask) != null) {
                continue;
            }
            t.set(candidate & mask, new Entry(candidate, peer, null));
            size++;
            return candidate;
        }
    }

    /** Points {@code index} (still owned by {@code peer}) at its keypair. */
    synchronized boolean swapForKeypair(int index, Keypair keypair) {
        AtomicReferenceArray<Entry> t = table;
        int slot = index & (t.length() - 1);
        Entry e = t.get(slot);
        if (e == null || e.index() != index || e.peer() != keypair.peer) {
            return false;
        }
        t.set(slot, new Entry(index, e.peer(), keypair));
        return true;
    }

    synchronized void delete(int index) {
        AtomicReferenceArray<Entry> t = table;
        int slot = index & (t.length() - 1);
        Entry e = t.get(slot);
        if (e != null && e.index() == index) {
            t.set(slot, null);
            size--;
        }
    }

    Entry lookup(int index) {
        AtomicReferenceArray<Entry> t = table;
        Entry e = t.get(index & (t.length() - 1));
        return e != null && e.index() == index ? e : null;
    }

    synchronized int size() {
        return size;
    }

    private void grow() {
        AtomicReferenceArray<Entry> old = table;
        AtomicReferenceArray<Entry> bigger = new AtomicReferenceArray<>(old.length() * 2);
        int mask = bigger.length() - 1;
        for (int i = 0; i < old.length(); i++) {
            Entry e = old.get(i);
            if (e != null) {
                bigger.set(e.index() & mask, e);
            }
        }
        table = bigger;
    }
}
