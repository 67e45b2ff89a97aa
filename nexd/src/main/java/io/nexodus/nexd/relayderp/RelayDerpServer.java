package io.nexodus.nexd.relayderp;

import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.derp.server.MeshPeer;
import io.nexodus.stun.StunServer;
import io.nexodus.stun.StunServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code nexd relayderp} runs: a {@link DerpRelayServer} on {@code --addr} and, unless {@code --stun=false}, a STUN
 * server (stun module, answers every Binding request, Tailscale-style or not) on the same host at {@code --stun-port}.
 */
public final class RelayDerpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayDerpServer.class);
    private final RelayDerpConfig config;
    private final DerpRelayServer relay;
    private final StunServer stun;
    private final VpcMembers members;

    private RelayDerpServer(RelayDerpConfig config, DerpRelayServer relay, StunServer stun, VpcMembers members) {
        this.config = config;
        this.relay = relay;
        this.stun = stun;
        this.members = members;
    }

    /**
     * Binds and serves.
     *
     * @throws IOException              a port, the key file or the certificates cannot be used (the message says which)
     * @throws IllegalArgumentException a configuration that cannot work (e.g. a bad hostname)
     */
    public static RelayDerpServer start(RelayDerpConfig config, Clock clock) throws IOException {
        boolean tls = config.certMode() != TlsMode.NONE;
        DerpRelayConfig.Builder b = DerpRelayConfig.builder()
                .bindAddress(config.addr())
                .tlsMode(config.certMode())
                .hostname(config.hostname())
                .privateKeyFile(config.keyFile())
                .acceptConnectionLimit(config.acceptConnectionLimit(), config.acceptConnectionBurst())
                .meshPeers(config.meshWith().stream()
                        .map(s -> MeshPeer.parse(s, tls))
                        .toList())
                .clock(clock);
        if (tls) {
            b.certDir(config.certDir());
        }
        config.meshKey().ifPresent(b::meshKey);
        // onboarded: serve the VPC's devices only (refusing everyone until the agent has the device list)
        VpcMembers members = config.onboard() ? new VpcMembers() : null;
        if (members != null) {
            b.verifier(members).deliveryPolicy(members);
        }
        DerpRelayServer relay = DerpRelayServer.start(b.build());
        StunServer stun = null;
        if (config.stun()) {
            InetSocketAddress at = new InetSocketAddress(config.addr().getAddress(), config.stunPort());
            try {
                stun = StunServer.start(List.of(at), StunServerConfig.defaults().withSoftware("nexd-relayderp"));
            } catch (IOException | RuntimeException e) {
                relay.close();
                throw e;
            }
        }
        return new RelayDerpServer(config, relay, stun, members);
    }

    public RelayDerpConfig config() {
        return config;
    }

    public DerpRelayServer relay() {
        return relay;
    }

    public Optional<StunServer> stun() {
        return Optional.ofNullable(stun);
    }

    /** With {@code --onboard}: the VPC's devices, the only clients served (fed by the relay's own agent). */
    public Optional<VpcMembers> members() {
        return Optional.ofNullable(members);
    }

    /** {@code https://<hostname>:<port>/derp}. */
    public URI url() {
        return relay.url();
    }

    /** One line for the log: what the relay carried and dropped. */
    public String summary() {
        var st = relay.stats();
        StringBuilder drops = new StringBuilder();
        st.packetsDropped().forEach((reason, n) -> {
            if (n > 0) {
                drops.append(drops.isEmpty() ? "" : ", ")
                        .append(reason.name().toLowerCase(Locale.ROOT))
                        .append(' ')
                        .append(n);
            }
        });
        return "relayed " + st.packetsSent() + " packets (" + st.bytesSent() + " bytes) to " + st.accepts()
                + " connections; dropped " + (drops.isEmpty() ? "none" : drops);
    }

    @Override
    public void close() {
        LOG.info("stopping: {}", summary());
        if (stun != null) {
            stun.close();
        }
        relay.close();
    }
}
