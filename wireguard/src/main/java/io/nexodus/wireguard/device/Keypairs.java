package io.nexodus.wireguard.device;

/**
 * A peer's sessions (wireguard-go's {@code Keypairs}): {@code current} sends and receives, {@code previous} still
 * receives what was in flight during a rekey, and {@code next} is a session we responded to that waits for the
 * initiator's first packet before it may send. A rotation removes the sessions it drops from the index table.
 * <p>
 * Threads: the packet threads read the three fields without locking (volatile); rotations take the lock. They come
 * from the handshake thread (new sessions), the receive threads (confirming {@code next}) and the timer and
 * configuration threads (expiry, erasure).
 */
final class Keypairs {
    private final IndexTable indexTable;
    private final Object lock = new Object();
    volatile Keypair current;
    volatile Keypair previous;
    volatile Keypair next;

    Keypairs(IndexTable indexTable) {
        this.indexTable = indexTable;
    }

    /** Installs a fresh session (wireguard-go BeginSymmetricSession's rotation). */
    void install(Keypair kp) {
        synchronized (lock) {
            Keypair prev = previous;
            Keypair nxt = next;
            Keypair cur = current;
            if (kp.initiator) {
                if (nxt != null) {
                    next = null;
                    previous = nxt;
                    delete(cur);
                } else {
                    previous = cur;
                }
                delete(prev);
                current = kp;
            } else {
                next = kp;
                delete(nxt);
                previous = null;
                delete(prev);
            }
        }
    }

    /** The responder's switch to {@code next} on its first packet; true if this packet confirmed the session. */
    boolean confirm(Keypair kp) {
        if (next != kp) {
            return false;
        }
        synchronized (lock) {
            if (next != kp) {
                return false;
            }
            Keypair old = previous;
            previous = current;
            delete(old);
            current = kp;
            next = null;
            return true;
        }
    }

    /** Marks the sending sessions as used up ({@code limit} messages sent), so the next packet starts a handshake. */
    void expire(long limit) {
        synchronized (lock) {
            Keypair cur = current;
            Keypair nxt = next;
            if (cur != null) {
                cur.sendNonce.set(limit);
            }
            if (nxt != null) {
                nxt.sendNonce.set(limit);
            }
        }
    }

    /** Erases every session. */
    void clear() {
        synchronized (lock) {
            delete(previous);
            delete(current);
            delete(next);
            previous = null;
            current = null;
            next = null;
        }
    }

    private void delete(Keypair kp) {
        if (kp != null) {
            indexTable.delete(kp.localIndex);
        }
    }
}
