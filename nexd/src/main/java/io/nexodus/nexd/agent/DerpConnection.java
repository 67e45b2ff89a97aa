package io.nexodus.nexd.agent;

import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.nexd.derpproxy.DerpConnector;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.net.HostsFile;
import io.nexodus.nexd.peering.DerpRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.LoggerFactory;

/**
 * How nexd connects to a DERP relay: the node key is the WireGuard key; TLS trusts the CA the service published for
 * the relay (its own self-signed CA), else what the agent trusts for the service ({@code --ca-cert} + the JDK's CAs;
 * for an onboarded relay with {@code certmodemanual} that is the user's CA bundle); a {@code certmodemanual} relay's
 * private name is first pinned to the relay device's reflexive IP in nexd's {@code /etc/hosts} block.
 *
 * <p>The service's public region may have several nodes (one per service replica, meshed with each other): the client
 * for it connects to the first and moves on to the next node, in the region's order, when connecting to its node
 * fails ({@link DerpClient#start(List, DerpClientListener)}).
 */
final class DerpConnection implements DerpConnector {
    private final TlsOptions tls;
    private final Optional<Path> userCaBundle;
    private final NodePrivateKey nodeKey;
    private final HostsFile hosts;
    /** The nodes of the public region, in order ({@link #publicRegion}), as the service last published them. */
    private final Supplier<List<DerpRelay>> publicRegion;
    /** Per relay id: the nodes its last client was made with, in the order it tries them. */
    private final Map<String, List<DerpRelay>> made = new ConcurrentHashMap<>();

    DerpConnection(TlsOptions tls, Optional<Path> userCaBundle, NodePrivateKey nodeKey, HostsFile hosts) {
        this(tls, userCaBundle, nodeKey, hosts, List::of);
    }

    DerpConnection(
            TlsOptions tls,
            Optional<Path> userCaBundle,
            NodePrivateKey nodeKey,
            HostsFile hosts,
            Supplier<List<DerpRelay>> publicRegion) {
        this.tls = tls;
        this.userCaBundle = userCaBundle;
        this.nodeKey = nodeKey;
        this.hosts = hosts;
        this.publicRegion = publicRegion;
    }

    @Override
    public DerpClient connect(DerpRelay relay, DerpClientListener listener) throws IOException {
        if (relay.certModeManual()) {
            if (relay.pinnedIp().isEmpty()) {
                throw new IOException("relay " + relay.hostname() + " has certmodemanual but no known IP address yet");
            }
            hosts.pin(relay.hostname(), relay.pinnedIp().get());
        }
        List<DerpRelay> nodes = nodes(relay, publicRegion.get());
        DerpClient client = DerpClient.start(clientConfigs(nodes), listener);
        made.put(relay.id(), nodes);
        return client;
    }

    @Override
    public boolean outdated(DerpRelay relay) {
        List<DerpRelay> was = made.get(relay.id());
        return was != null && !was.equals(nodes(relay, publicRegion.get()));
    }

    /**
     * The nodes a client for {@code relay} tries, in order: {@code relay} itself, then — for the public relay — the
     * region's other nodes, starting after {@code relay}'s place in the region and wrapping around.
     */
    static List<DerpRelay> nodes(DerpRelay relay, List<DerpRelay> region) {
        List<DerpRelay> out = new ArrayList<>();
        out.add(relay);
        if (relay.kind() == DerpRelay.Kind.PUBLIC) {
            int at = 0;
            for (int i = 0; i < region.size(); i++) {
                if (sameNode(region.get(i), relay)) {
                    at = i + 1;
                }
            }
            for (int i = 0; i < region.size(); i++) {
                DerpRelay n = region.get((at + i) % region.size());
                if (n.id().equals(relay.id()) && !sameNode(n, relay)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** {@link #nodes}' client configurations (the first must parse; a later node whose CA does not is skipped). */
    List<DerpClientConfig> clientConfigs(DerpRelay relay, List<DerpRelay> region) throws IOException {
        return clientConfigs(nodes(relay, region));
    }

    private List<DerpClientConfig> clientConfigs(List<DerpRelay> nodes) throws IOException {
        List<DerpClientConfig> out = new ArrayList<>();
        out.add(config(nodes.getFirst()));
        for (DerpRelay n : nodes.subList(1, nodes.size())) {
            try {
                out.add(config(n));
            } catch (IOException e) { // a node whose CA does not parse is skipped, not the whole relay
                LoggerFactory.getLogger(DerpConnection.class)
                        .warn("skipping DERP node {}: {}", n.url(), e.getMessage());
            }
        }
        return out;
    }

    /** Nodes behind one load-balanced name differ only in the address to dial. */
    private static boolean sameNode(DerpRelay a, DerpRelay b) {
        return a.url().equals(b.url()) && a.dialIp().equals(b.dialIp());
    }

    private DerpClientConfig config(DerpRelay relay) throws IOException {
        SSLContext ssl = relay.caPem().isPresent()
                ? TrustBundles.trusting(parsePem(relay.caPem().get()))
                : relay.kind() == DerpRelay.Kind.ONBOARDED && userCaBundle.isPresent() && !tls.insecureSkipTlsVerify()
                        ? withUserCas()
                        : tls.sslContext();
        int port = relay.url().getPort() > 0
                ? relay.url().getPort()
                : "http".equals(relay.url().getScheme()) ? 80 : 443;
        DerpClientConfig.Builder b = DerpClientConfig.builder(relay.url(), nodeKey)
                .sslContext(ssl)
                .backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
        relay.dialIp().ifPresent(ip -> b.dialAddress(new InetSocketAddress(ip, port)));
        return b.build();
    }

    @Override
    public void disconnected(DerpRelay relay) {
        made.remove(relay.id());
        if (relay.certModeManual()) {
            try {
                hosts.unpin(relay.hostname());
            } catch (IOException e) {
                LoggerFactory.getLogger(DerpConnection.class)
                        .warn("cannot remove {} from /etc/hosts: {}", relay.hostname(), e.getMessage());
            }
        }
    }

    /** The JDK's CAs, {@code --ca-cert} and the user's bundle ({@code --derp-ca-cert}). */
    private SSLContext withUserCas() throws IOException {
        List<X509Certificate> cas = new ArrayList<>(Pem.readCertificates(userCaBundle.get()));
        if (tls.caCertificate() != null) {
            cas.addAll(Pem.readCertificates(tls.caCertificate()));
        }
        return TrustBundles.trustingJdkDefaultsAnd(cas);
    }

    /**
     * The public relay to use from the service's relay map: the first node of {@link #publicRegion}; empty when the
     * service publishes none or nothing parses.
     */
    static Optional<DerpRelay> publicRelay(RelayMap map) {
        return publicRegion(map).stream().findFirst();
    }

    /**
     * The public region's usable nodes in the service's order (all with the region's id): the built-in region (900)
     * if present, else the lowest region; empty when the service publishes none or none of its nodes parses.
     */
    static List<DerpRelay> publicRegion(RelayMap map) {
        if (map == null || map.regions() == null) {
            return List.of();
        }
        return map.regions().values().stream()
                .filter(r -> r != null && r.nodes() != null && !r.nodes().isEmpty())
                .sorted(Comparator.comparing((RelayRegion r) -> !r.builtIn()).thenComparingInt(RelayRegion::regionId))
                .map(r ->
                        r.nodes().stream().flatMap(n -> toRelay(r, n).stream()).toList())
                .filter(nodes -> !nodes.isEmpty())
                .findFirst()
                .orElse(List.of());
    }

    private static Optional<DerpRelay> toRelay(RelayRegion region, RelayNode n) {
        if (n == null || n.url() == null) {
            return Optional.empty();
        }
        URI url;
        try {
            url = URI.create(n.url());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (url.getHost() == null
                || !(url.getScheme().equals("https") || url.getScheme().equals("http"))) {
            return Optional.empty();
        }
        Optional<InetAddress> dial =
                Optional.ofNullable(n.ipv4()).filter(s -> !s.isBlank()).flatMap(Addresses::parseIp);
        Optional<String> ca =
                n.customCa() ? Optional.ofNullable(n.caPem()).filter(s -> !s.isBlank()) : Optional.empty();
        return Optional.of(new DerpRelay(
                DerpRelay.Kind.PUBLIC, "public:" + region.regionId(), url, dial, ca, false, Optional.empty()));
    }

    static List<X509Certificate> parsePem(String pem) throws IOException {
        try {
            return Pem.parseCertificates(pem);
        } catch (CertificateException e) {
            throw new IOException("cannot parse the relay's CA PEM: " + e.getMessage(), e);
        }
    }
}
