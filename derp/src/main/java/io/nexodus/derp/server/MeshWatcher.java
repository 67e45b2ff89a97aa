package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.PeerGoneReason;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's connection to one mesh peer: a DERP client using the server's own key and the mesh key, watching the
 * peer's connections. Every key present there becomes reachable here through this connection (ForwardPacket); when
 * the connection breaks, all of them are withdrawn and the client reconnects (every few seconds at most).
 */
final class MeshWatcher implements DerpClientListener, PacketForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(MeshWatcher.class);

    private final DerpServer server;
    private final MeshPeer peer;
    private final DerpClientConfig clientConfig;
    private final Set<NodePublicKey> present = ConcurrentHashMap.newKeySet();
    private volatile DerpClient client;

    MeshWatcher(DerpServer server, MeshPeer peer, MeshKey meshKey, Optional<SSLContext> ssl) {
        this.server = server;
        this.peer = peer;
        DerpClientConfig.Builder b = DerpClientConfig.builder(peer.url(), server.privateKey())
                .meshKey(meshKey)
                .watchConnections(true)
                .sendQueueDepth(1024)
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        ssl.ifPresent(b::sslContext);
        peer.dialAddress().ifPresent(b::dialAddress);
        this.clientConfig = b.build();
    }

    void start() {
        client = DerpClient.start(clientConfig, this);
    }

    @Override
    public boolean forwardPacket(NodePublicKey source, NodePublicKey destination, byte[] packet) {
        DerpClient c = client;
        return c != null && c.forwardPacket(source, destination, packet);
    }

    @Override
    public void onConnected(NodePublicKey serverKey) {
        if (serverKey.equals(server.publicKey())) {
            LOG.info("mesh peer {} is this server itself; not meshing with it", peer.url());
            Thread.ofVirtual().start(this::close); // not on the client's own reader thread
            return;
        }
        LOG.info("meshed with {} ({})", peer.url(), serverKey);
    }

    @Override
    public void onPeerPresent(Frame.PeerPresent p) {
        if (p.peer().equals(server.publicKey())) {
            return; // our own mesh connection to that peer
        }
        present.add(p.peer());
        server.addPacketForwarder(p.peer(), this);
    }

    @Override
    public void onPeerGone(NodePublicKey key, PeerGoneReason reason) {
        if (present.remove(key)) {
            server.removePacketForwarder(key, this);
        }
    }

    @Override
    public void onDisconnected(String reason) {
        LOG.info("mesh connection to {} broke ({}); withdrawing {} peers", peer.url(), reason, present.size());
        withdrawAll();
    }

    @Override
    public void onPacket(NodePublicKey source, byte[] packet) {
        // Packets addressed to this server's own key are not for anyone: drop.
    }

    private void withdrawAll() {
        for (Iterator<NodePublicKey> it = present.iterator(); it.hasNext(); ) {
            NodePublicKey k = it.next();
            it.remove();
            server.removePacketForwarder(k, this);
        }
    }

    void close() {
        DerpClient c = client;
        if (c != null) {
            c.close();
        }
        withdrawAll();
    }

    @Override
    public String toString() {
        return "mesh peer " + peer.url();
    }
}
