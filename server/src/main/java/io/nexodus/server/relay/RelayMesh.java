package io.nexodus.server.relay;

import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.server.MeshPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas' relays as one region: every {@link #HEARTBEAT} this replica refreshes its own node's row in the shared
 * table, reads the rows refreshed within {@link #STALE}, publishes them (itself always included) as region 900's
 * nodes sorted by name — so every replica publishes the same list in the same order and every agent picks the same
 * first node — and meshes its relay with each of them, dropping the mesh connections to nodes that went stale.
 * Mesh peers given explicitly ({@code --derp-mesh-with}) are never dropped.
 *
 * <p>Replicas compare their own clock with the others' {@code last_seen}: clocks must agree to well within the stale
 * cutoff (NTP does).
 */
final class RelayMesh {
    private static final Logger log = LoggerFactory.getLogger(RelayMesh.class);
    /** How often a replica refreshes its row and re-reads the others'. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** A node whose row was not refreshed for this long is gone (a crashed replica): unpublished and un-meshed. */
    static final Duration STALE = Duration.ofSeconds(10);
    /** Rows this old are deleted (replicas that are long gone, e.g. pods that came back with a new relay key). */
    static final Duration FORGET = Duration.ofHours(1);

    /** The mesh connections of this replica's relay (its {@code DerpServer}; a recorder in unit tests). */
    interface Links {
        Set<MeshPeer> peers();

        void add(MeshPeer peer, Optional<SSLContext> trust);

        void remove(MeshPeer peer);
    }

    private final RegisteredNode self;
    private final NodeTable table;
    private final Links links;
    private final Clock clock;
    private final Set<MeshPeer> explicit;
    private volatile RelayRegion region;
    /** When long-gone rows were last deleted; null = not yet. */
    private Instant lastForget;

    /**
     * @param self     this replica's node ({@code lastSeen} is replaced on every heartbeat)
     * @param explicit the mesh peers given explicitly: kept even when not in the table
     */
    RelayMesh(RegisteredNode self, NodeTable table, Links links, Clock clock, Set<MeshPeer> explicit) {
        this.self = self;
        this.table = table;
        this.links = links;
        this.clock = clock;
        this.explicit = Set.copyOf(explicit);
        this.region = regionOf(List.of(self.node()));
    }

    /** The region as of the last heartbeat (this node alone before the first). */
    RelayRegion region() {
        return region;
    }

    /** One heartbeat: refresh our row, read the others', publish and mesh. Throws when the database fails. */
    synchronized void tick() {
        Instant now = clock.instant();
        table.heartbeat(self.seenAt(now));
        List<RegisteredNode> all = table.list();
        List<RegisteredNode> live = live(all, self, now);
        region = regionOf(live.stream().map(RegisteredNode::node).toList());
        // by URL and dial address: replicas behind one shared name (--derp-advertise) have the same URL
        Map<MeshPeer, RegisteredNode> wanted = new LinkedHashMap<>();
        for (RegisteredNode n : live) {
            if (!n.publicKey().equals(self.publicKey())) {
                wanted.put(peerOf(n.node()), n);
            }
        }
        Set<MeshPeer> have = links.peers();
        for (Map.Entry<MeshPeer, RegisteredNode> e : wanted.entrySet()) {
            if (!have.contains(e.getKey())) {
                Optional<SSLContext> trust;
                try {
                    trust = trustFor(e.getValue().node());
                } catch (IOException ex) {
                    log.warn(
                            "DERP mesh: cannot use the CA of node {}: {}",
                            e.getValue().node().name(),
                            ex.getMessage());
                    continue;
                }
                log.info(
                        "DERP mesh: meshing with node {} at {}",
                        e.getValue().node().name(),
                        describe(e.getKey()));
                links.add(e.getKey(), trust);
            }
        }
        for (MeshPeer p : have) {
            if (!wanted.containsKey(p) && !explicit.contains(p)) {
                log.info("DERP mesh: node at {} went stale or moved; no longer meshing with it", describe(p));
                links.remove(p);
            }
        }
        if (lastForget == null || Duration.between(lastForget, now).compareTo(FORGET) >= 0) {
            lastForget = now;
            table.forgetOlderThan(now.minus(FORGET));
        }
    }

    /** A graceful stop: remove our row so the others drop this node at once. */
    void leave() {
        table.remove(self.node().name());
    }

    /**
     * The nodes to publish: rows refreshed within {@link #STALE} of {@code now}, and {@code self} (with its current
     * address) whatever its row says; one per name, sorted by name.
     */
    static List<RegisteredNode> live(List<RegisteredNode> all, RegisteredNode self, Instant now) {
        Instant cutoff = now.minus(STALE);
        Map<String, RegisteredNode> byName = new HashMap<>();
        for (RegisteredNode n : all) {
            if (!n.lastSeen().isBefore(cutoff) && !n.publicKey().equals(self.publicKey())) {
                byName.merge(n.node().name(), n, (a, b) -> a.lastSeen().isAfter(b.lastSeen()) ? a : b);
            }
        }
        byName.put(self.node().name(), self.seenAt(now));
        List<RegisteredNode> out = new ArrayList<>(byName.values());
        out.sort(Comparator.comparing((RegisteredNode n) -> n.node().name()));
        return out;
    }

    static RelayRegion regionOf(List<RelayNode> nodes) {
        return new RelayRegion(
                EmbeddedDerpRelay.REGION_ID,
                EmbeddedDerpRelay.REGION_CODE,
                EmbeddedDerpRelay.REGION_NAME,
                true,
                List.copyOf(nodes));
    }

    private static String describe(MeshPeer p) {
        return p.url()
                + p.dialAddress()
                        .map(a -> " (dialled at " + a.getHostString() + ":" + a.getPort() + ")")
                        .orElse("");
    }

    /** Where this replica's relay dials a node: its URL, at its published IP when it has one. */
    static MeshPeer peerOf(RelayNode n) {
        URI url = URI.create(n.url());
        String ip = n.ipv4() != null ? n.ipv4() : n.ipv6();
        return new MeshPeer(url, Optional.ofNullable(ip).map(a -> new InetSocketAddress(a, n.derpPort())));
    }

    /** Trust for a node with its own CA (the PEM it published); empty = the relay's usual mesh trust. */
    static Optional<SSLContext> trustFor(RelayNode n) throws IOException {
        if (!n.customCa() || n.caPem() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TrustBundles.trusting(Pem.parseCertificates(n.caPem())));
        } catch (CertificateException e) {
            throw new IOException("bad CA PEM: " + e.getMessage(), e);
        }
    }

    /** The node name for a relay key: unique per key, stable across restarts of the same replica. */
    static String nodeName(String publicKeyHex) {
        return EmbeddedDerpRelay.NODE_NAME + "-" + publicKeyHex.substring(0, 8);
    }
}
