package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one key. Usually one; several when a client reconnected before its old connection died, or when a
 * key is cloned. Policy as Tailscale's default ("last writer is active"): the newest connection is active; whichever
 * duplicate sends a frame becomes active; when the active one leaves, the most recent remaining sender takes over, and
 * with none, packets for the key are dropped ({@link DropReason#DUP_CLIENT}) until one sends.
 * Mutations happen under the server's registry lock; {@link #active} is read lock-free on the packet path.
 */
final class ClientSet {
    final NodePublicKey key;
    private final List<ClientConnection> members = new ArrayList<>(1);
    /** Members that sent frames, least to most recent, each at most once (bounded by the set size). */
    private final List<ClientConnection> sendHistory = new ArrayList<>(0);

    volatile ClientConnection active;
    volatile int size;

    ClientSet(NodePublicKey key) {
        this.key = key;
    }

    void add(ClientConnection c) {
        members.add(c);
        size = members.size();
        active = c;
    }

    /** Removes {@code c}; returns whether it was a member. */
    boolean remove(ClientConnection c) {
        if (!members.remove(c)) {
            return false;
        }
        sendHistory.remove(c);
        size = members.size();
        if (members.size() == 1) {
            active = members.getFirst();
            sendHistory.clear();
        } else if (active == c) {
            active = sendHistory.isEmpty() ? null : sendHistory.getLast();
        }
        return true;
    }

    /** {@code c} sent a frame: with duplicates, it becomes the active one. */
    void noteActivity(ClientConnection c) {
        if (members.size() < 2) {
            return;
        }
        sendHistory.remove(c);
        sendHistory.add(c);
        active = c;
    }

    List<ClientConnection> members() {
        return List.copyOf(members);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }
}
