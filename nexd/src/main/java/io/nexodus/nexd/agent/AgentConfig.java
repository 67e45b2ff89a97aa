package io.nexodus.nexd.agent;

import io.nexodus.api.client.TlsOptions;
import io.nexodus.nexd.peering.PeeringTimeouts;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything the agent needs to run, parsed and checked by the command line ({@code io.nexodus.nexd.cli}).
 *
 * @param mode              agent or WireGuard relay
 * @param serviceUrl        the service (as given: the API is under {@code /api})
 * @param tls               trust for the service's certificate
 * @param regKey            {@code RK:…} registration key
 * @param username          user login (password grant)
 * @param password          its password
 * @param vpcId             the VPC to join (user login; a reg key names its own)
 * @param securityGroupId   the security group for the device (default: the VPC's)
 * @param stateDir          keys, port, login
 * @param controlSocket     the local control socket
 * @param listenPort        WireGuard port; 0 = the stored one, else a random free one (relay: 51820)
 * @param requestIp         an IPv4 tunnel address to ask for
 * @param localEndpointIp   our LAN address for the {@code local} endpoint (default: the default-route interface's)
 * @param stunServers       STUN servers ({@code host:port}), at least two
 * @param relayOnly         reach every ordinary peer through the relay
 * @param interfaceName     tunnel interface name
 * @param mtu               tunnel MTU
 * @param wireguardGo       command of a UAPI WireGuard to use instead of the in-process one (empty: in-process)
 * @param hostname          our host name as the service shows it
 * @param timeouts          peering state machine timings
 * @param stunInterval      periodic STUN re-check
 * @param tickInterval      how often the data plane is sampled
 * @param watchMaxBackoff   the longest wait between watch reconnects
 * @param derpCaCert        {@code --derp-ca-cert}: the user's CA bundle for onboarded DERP relays with
 *                          {@code certmodemanual} (trusted in addition to {@code --ca-cert} and the JDK's CAs)
 * @param router            {@code nexd router}: advertised networks and forwarding ({@link RouterConfig#NONE} otherwise)
 * @param proxy             {@code nexd proxy}: userspace network stack and port forwarding ({@link ProxyConfig#NONE}
 *                          otherwise)
 * @param exitNodeClient    {@code --exit-node-client[=DEVICE]}: use an exit node from the start ({@code ""}: the VPC's
 *                          only one); empty: the choice stored by {@code nexctl nexd exit-node enable}, if any
 * @param peerMapMaxAge     {@code --peer-map-max-age}: a stored signed peer map older than this is not used to start
 *                          while the service is unreachable; zero: never start from a stored map
 */
public record AgentConfig(
        Mode mode,
        URI serviceUrl,
        TlsOptions tls,
        Optional<String> regKey,
        Optional<String> username,
        Optional<String> password,
        Optional<UUID> vpcId,
        Optional<UUID> securityGroupId,
        Path stateDir,
        Path controlSocket,
        int listenPort,
        Optional<String> requestIp,
        Optional<InetAddress> localEndpointIp,
        List<String> stunServers,
        boolean relayOnly,
        String interfaceName,
        int mtu,
        List<String> wireguardGo,
        String hostname,
        PeeringTimeouts timeouts,
        Duration stunInterval,
        Duration tickInterval,
        Duration watchMaxBackoff,
        Optional<Path> derpCaCert,
        RouterConfig router,
        ProxyConfig proxy,
        Optional<String> exitNodeClient,
        Duration peerMapMaxAge) {

    /**
     * {@code nexd} (an ordinary device), {@code nexd relay} (the VPC's WireGuard hub) or {@code nexd relayderp
     * --onboard} (an ordinary device of the VPC that registers as its relay and publishes a DERP relay; it forwards
     * nothing through WireGuard).
     */
    public enum Mode {
        AGENT,
        RELAY,
        DERP_RELAY
    }

    public static final int RELAY_PORT = 51820;

    public AgentConfig {
        stunServers = List.copyOf(stunServers);
        wireguardGo = List.copyOf(wireguardGo);
        Objects.requireNonNull(derpCaCert);
        Objects.requireNonNull(router);
        Objects.requireNonNull(proxy);
        Objects.requireNonNull(exitNodeClient);
        Objects.requireNonNull(peerMapMaxAge);
    }

    /** This configuration as {@code nexd router} with {@code r}. */
    public AgentConfig withRouter(RouterConfig r) {
        return new AgentConfig(
                mode,
                serviceUrl,
                tls,
                regKey,
                username,
                password,
                vpcId,
                securityGroupId,
                stateDir,
                controlSocket,
                listenPort,
                requestIp,
                localEndpointIp,
                stunServers,
                relayOnly,
                interfaceName,
                mtu,
                wireguardGo,
                hostname,
                timeouts,
                stunInterval,
                tickInterval,
                watchMaxBackoff,
                derpCaCert,
                r,
                proxy,
                exitNodeClient,
                peerMapMaxAge);
    }

    /** This configuration as {@code nexd proxy} with {@code p}. */
    public AgentConfig withProxy(ProxyConfig p) {
        return new AgentConfig(
                mode,
                serviceUrl,
                tls,
                regKey,
                username,
                password,
                vpcId,
                securityGroupId,
                stateDir,
                controlSocket,
                listenPort,
                requestIp,
                localEndpointIp,
                stunServers,
                relayOnly,
                interfaceName,
                mtu,
                wireguardGo,
                hostname,
                timeouts,
                stunInterval,
                tickInterval,
                watchMaxBackoff,
                derpCaCert,
                router,
                p,
                exitNodeClient,
                peerMapMaxAge);
    }

    /** {@code nexd proxy}: WireGuard on the userspace network stack, no kernel interface. */
    public boolean isProxy() {
        return proxy.enabled();
    }

    /** The VPC's WireGuard hub: forwards between peers, other agents route the VPC's CIDRs to it. */
    public boolean isRelay() {
        return mode == Mode.RELAY;
    }

    /**
     * Registers with {@code relay: true} (upstream: {@code relay || relayderp}); one WireGuard relay per VPC, any number
     * of DERP relays.
     */
    public boolean registersAsRelay() {
        return mode != Mode.AGENT;
    }

    public boolean usesWireGuardGo() {
        return !wireguardGo.isEmpty();
    }
}
