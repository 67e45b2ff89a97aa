package io.nexodus.wireguard.bind;

/** What a {@link Bind} delivers received datagrams to: the device. */
@FunctionalInterface
public interface Receiver {
    /**
     * Handles the datagrams in {@code batch}; each packet's endpoint is its source. The receiver may modify the
     * buffers (it decrypts in place) and must not keep them after returning. May be called from several threads at
     * once (one per transport).
     */
    void receive(PacketBatch batch);
}
