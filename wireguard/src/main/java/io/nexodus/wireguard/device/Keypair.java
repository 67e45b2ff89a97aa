package io.nexodus.wireguard.device;

import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;

/**
 * One session's transport keys (whitepaper §5.4.5): a send key with its counter, a receive key with its replay
 * window, the two indices, and when and by whom it was made. Immutable apart from the counter and the window.
 */
final class Keypair {
    final Peer peer;
    final SecretKey sendKey;
    final SecretKey receiveKey;
    final AtomicLong sendNonce = new AtomicLong();
    final ReplayFilter replay = new ReplayFilter();
    final long createdNanos;
    final boolean initiator;
    final int localIndex;
    final int remoteIndex;

    Keypair(
            Peer peer,
            SecretKey sendKey,
            SecretKey receiveKey,
            long createdNanos,
            boolean initiator,
            int localIndex,
            int remoteIndex) {
        this.peer = peer;
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.createdNanos = createdNanos;
        this.initiator = initiator;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
    }

    long ageNanos(long now) {
        return now - createdNanos;
    }
}
