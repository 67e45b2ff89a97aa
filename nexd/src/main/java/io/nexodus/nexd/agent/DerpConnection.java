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
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How nexd connects to a DERP relay: the node key is the WireGuard key; TLS trusts the CA the service published for
 * the relay (its own self-signed CA), else what the agent trusts for the service ({@code --ca-cert} + the JDK's CAs;
 * for an onboarded relay with {@code certmodemanual} that is the user's CA bundle); a {@code certmodemanual} relay's
 * private name is first pinned to the relay device's reflexive IP in nexd's {@code /etc/hosts} block.
 */
final class DerpConnection implements DerpConnector {
    private final TlsOptions tls;
    private final Optional<java.nio.file.Path> userCaBundle;
    private final NodePrivateKey nodeKey;
    private final HostsFile hosts;

    DerpConnection(TlsOptions tls, Optional<java.nio.file.Path> userCaBundle, NodePrivateKey nodeKey, HostsFile hosts) {
        this.tls = tls;
        this.userCaBundle = userCaBundle;
        this.nodeKey = nodeKey;
        this.hosts = hosts;
    }

    @Override
    public DerpClient connect(DerpRelay relay, DerpClientListener listener) throws IOException {
        if (relay.certModeManual()) {
            if (relay.pinnedIp().isEmpty()) {
                throw new IOException("relay " + relay.hostname() + " has certmodemanual but no known IP address yet");
            }
            hosts.pin(relay.hostname(), relay.pinnedIp().get());
        }
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
                .backoff(java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(5));
        relay.dialIp().ifPresent(ip -> b.dialAddress(new InetSocketAddress(ip, port)));
        return DerpClient.start(b.build(), listener);
    }

    @Override
    public void disconnected(DerpRelay relay) {
        if (relay.certModeManual()) {
            try {
                hosts.unpin(relay.hostname());
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(DerpConnection.class)
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
     * The public relay to use from the service's relay map: the built-in one (region 900) if present, else the
     * lowest region; empty when the service publishes none or nothing parses.
     */
    static Optional<DerpRelay> publicRelay(RelayMap map) {
        if (map == null || map.regions() == null) {
            return Optional.empty();
        }
        return map.regions().values().stream()
                .filter(r -> r != null && !r.nodes().isEmpty())
                .sorted(Comparator.comparing((RelayRegion r) -> !r.builtIn()).thenComparingInt(RelayRegion::regionId))
                .flatMap(r -> r.nodes().stream().findFirst().flatMap(n -> toRelay(r, n)).stream())
                .findFirst();
    }

    private static Optional<DerpRelay> toRelay(RelayRegion region, RelayNode n) {
        if (n.url() == null) {
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
        Optional<java.net.InetAddress> dial =
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
