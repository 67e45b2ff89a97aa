package io.nexodus.derp.testing;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.PeerGoneReason;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client listener that records what arrives, for tests to wait on. */
public final class Events implements DerpClientListener {
    @SuppressWarnings("ArrayRecordComponent") // what arrived, as it arrived; tests compare data() themselves
    public record Packet(NodePublicKey source, byte[] data) {}

    public record Gone(NodePublicKey peer, PeerGoneReason reason) {}

    public final BlockingQueue<Packet> packets = new LinkedBlockingQueue<>();
    public final BlockingQueue<Gone> gone = new LinkedBlockingQueue<>();
    public final BlockingQueue<Frame.PeerPresent> present = new LinkedBlockingQueue<>();
    public final BlockingQueue<NodePublicKey> connected = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();

    @Override
    public void onPacket(NodePublicKey source, byte[] packet) {
        packets.add(new Packet(source, packet));
    }

    @Override
    public void onPeerGone(NodePublicKey peer, PeerGoneReason reason) {
        gone.add(new Gone(peer, reason));
    }

    @Override
    public void onPeerPresent(Frame.PeerPresent p) {
        present.add(p);
    }

    @Override
    public void onConnected(NodePublicKey serverKey) {
        connected.add(serverKey);
    }

    @Override
    public void onDisconnected(String reason) {
        disconnected.add(reason);
    }

    /** The next packet, failing after {@code timeout}. */
    public Packet nextPacket(Duration timeout) throws InterruptedException {
        Packet p = packets.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (p == null) {
            throw new AssertionError("no packet within " + timeout);
        }
        return p;
    }

    public Gone nextGone(Duration timeout) throws InterruptedException {
        Gone g = gone.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (g == null) {
            throw new AssertionError("no PeerGone within " + timeout);
        }
        return g;
    }
}
