package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device's configuration and how a UAPI {@code set} changes it (wireguard-go's {@code device.go} setters and
 * {@code uapi.go}'s set operation): our {@link Identity}, the peers by public key, the UDP port and the firewall mark.
 * <p>
 * Threads: every change runs under one lock, from whichever thread configures (the agent, a UAPI connection). The
 * packet and handshake threads read without it: the identity and port through volatile fields, the peers through a
 * concurrent map.
 */
final class Configuration {
    private final Device device;
    private final Object lock = new Object();
    private final ConcurrentHashMap<NodePublicKey, Peer> peers = new ConcurrentHashMap<>();
    private volatile Identity identity;
    private volatile int listenPort;
    private volatile int fwmark;

    Configuration(Device device) {
        this.device = device;
    }

    Identity identity() {
        return identity;
    }

    int listenPort() {
        return listenPort;
    }

    int fwmark() {
        return fwmark;
    }

    Peer peer(NodePublicKey publicKey) {
        return peers.get(publicKey);
    }

    Collection<Peer> peers() {
        return peers.values();
    }

    /** The first configuration, from the builder: key, port (0 = any free one), mark (0 = none). */
    void start(NodePrivateKey privateKey, int port, int mark) throws IOException {
        synchronized (lock) {
            if (privateKey != null) {
                identity = Identity.of(privateKey, device.scheduler, device.timings);
            }
            listenPort = device.bind.open(port, device);
            if (mark != 0) {
                device.bind.setMark(mark);
                fwmark = mark;
            }
        }
    }

    /**
     * Applies a change with UAPI {@code set} semantics: device fields first, then peer sections in order. Input is
     * validated by the caller (the record types); what can still fail here (the port is taken) is reported with an
     * errno.
     */
    void apply(DeviceUpdate update) throws ConfigException {
        List<Peer> toStart = new ArrayList<>();
        synchronized (lock) {
            if (device.closing) {
                throw new ConfigException(ConfigException.EIO, "device is closed");
            }
            if (update.privateKey() != null) {
                applyPrivateKey(update.privateKey());
            }
            if (update.listenPort() != null && update.listenPort() != listenPort) {
                try {
                    listenPort = device.bind.open(update.listenPort(), device);
                } catch (IOException e) {
                    throw new ConfigException(
                            ConfigException.EADDRINUSE,
                            "cannot bind UDP port " + update.listenPort() + ": " + e.getMessage(),
                            e);
                }
                if (fwmark != 0) {
                    applyMark(fwmark);
                }
            }
            if (update.fwmark() != null && update.fwmark() != fwmark) {
                applyMark(update.fwmark());
                fwmark = update.fwmark();
            }
            if (update.replacePeers()) {
                for (Peer p : List.copyOf(peers.values())) {
                    peers.remove(p.publicKey);
                    removeLocked(p);
                }
            }
            for (PeerUpdate pu : update.peers()) {
                Peer p = applyPeer(pu);
                if (p != null) {
                    toStart.add(p);
                }
            }
        }
        // handlePostConfig: a peer that just got persistent keepalive sends one now; waiting packets go out.
        for (Peer p : toStart) {
            p.sendStagedPackets();
        }
    }

    /** Removes a peer; false if there was none with that key. */
    boolean removePeer(NodePublicKey publicKey) {
        synchronized (lock) {
            Peer p = peers.remove(publicKey);
            if (p == null) {
                return false;
            }
            removeLocked(p);
            return true;
        }
    }

    /** At close: stops every peer (timers, sessions, staged packets) and forgets them. */
    void stopAll() {
        synchronized (lock) {
            for (Peer p : peers.values()) {
                p.stop();
            }
            peers.clear();
        }
    }

    private void applyMark(int mark) throws ConfigException {
        try {
            device.bind.setMark(mark);
        } catch (IOException e) {
            throw new ConfigException(ConfigException.EADDRINUSE, "cannot set fwmark: " + e.getMessage(), e);
        }
    }

    private void applyPrivateKey(NodePrivateKey key) {
        Identity id = identity;
        if (key.isZero()) {
            if (id == null) {
                return;
            }
            identity = null;
            for (Peer p : peers.values()) {
                p.setStaticStatic(null);
                p.expireCurrentKeypairs();
            }
            return;
        }
        NodePrivateKey clamped = key.clamped();
        if (id != null && NodePrivateKey.fromRaw(id.privateKey()).equals(clamped)) {
            return; // unchanged: keep the sessions
        }
        Identity fresh = Identity.of(clamped, device.scheduler, device.timings);
        identity = fresh;
        Peer self = peers.remove(
                fresh.publicKeyObject()); // a peer with our own key makes no sense: wireguard-go removes it
        if (self != null) {
            removeLocked(self);
        }
        for (Peer p : peers.values()) {
            p.setStaticStatic(fresh.privateKey());
            p.expireCurrentKeypairs();
        }
    }

    /** Applies one peer section; returns the peer if it should get post-config handling. */
    private Peer applyPeer(PeerUpdate pu) {
        Identity id = identity;
        if (id != null && id.publicKeyObject().equals(pu.publicKey())) {
            return null; // our own key: wireguard-go ignores the section (a dummy peer)
        }
        Peer p = peers.get(pu.publicKey());
        if (pu.remove()) {
            if (p != null) {
                peers.remove(pu.publicKey());
                removeLocked(p);
            }
            return null;
        }
        if (p == null) {
            if (pu.updateOnly()) {
                return null;
            }
            p = new Peer(device, pu.publicKey());
            p.setStaticStatic(id == null ? null : id.privateKey());
            peers.put(pu.publicKey(), p);
        }
        if (pu.presharedKey() != null) {
            synchronized (p.handshake) {
                p.presharedKey = pu.presharedKey().toRaw();
            }
        }
        if (pu.endpoint() != null) {
            p.endpoint = pu.endpoint();
        }
        boolean keepaliveTurnedOn = false;
        if (pu.persistentKeepalive() != null) {
            int old = p.persistentKeepaliveSeconds;
            p.persistentKeepaliveSeconds = pu.persistentKeepalive();
            keepaliveTurnedOn = old == 0 && pu.persistentKeepalive() > 0;
        }
        if (pu.replaceAllowedIps()
                || !pu.addAllowedIps().isEmpty()
                || !pu.removeAllowedIps().isEmpty()) {
            device.allowedIps.update(p, pu.replaceAllowedIps(), pu.addAllowedIps(), pu.removeAllowedIps());
        }
        if (keepaliveTurnedOn) {
            p.sendKeepalive();
            return null;
        }
        return p;
    }

    private void removeLocked(Peer p) {
        device.allowedIps.removeByPeer(p);
        p.stop();
    }
}
