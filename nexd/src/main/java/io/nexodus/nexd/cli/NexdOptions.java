package io.nexodus.nexd.cli;

import io.nexodus.api.client.TlsOptions;
import io.nexodus.nexd.agent.AgentConfig;
import io.nexodus.nexd.agent.ProxyConfig;
import io.nexodus.nexd.agent.RouterConfig;
import io.nexodus.nexd.dns.VpcNames;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.peering.PeeringTimeouts;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * nexd's options, as upstream's (each also a {@code NEXD_*} variable), plus the few this implementation needs. They
 * may be given before or after a subcommand ({@code nexd --reg-key … relay} or {@code nexd relay --reg-key …}).
 * {@link #toConfig} checks them together and says clearly what is wrong.
 */
public final class NexdOptions {
    @Option(
            names = "--service-url",
            paramLabel = "URL",
            defaultValue = "${env:NEXD_SERVICE_URL}",
            scope = ScopeType.INHERIT,
            description =
                    "The Nexodus service, https://host[:port] (env NEXD_SERVICE_URL). http:// only for a service that "
                            + "serves plain HTTP (a lab on one machine): then tokens and keys cross the network unencrypted.")
    String serviceUrl;

    @Option(
            names = "--reg-key",
            paramLabel = "KEY",
            defaultValue = "${env:NEXD_REG_KEY}",
            scope = ScopeType.INHERIT,
            description = "Registration key RK:..., or the form https://host#RK:... that also names the service "
                    + "(then --service-url, --vpc-id and --security-group-id must not be given) (env NEXD_REG_KEY).")
    String regKey;

    @Option(
            names = "--username",
            defaultValue = "${env:NEXD_USERNAME}",
            scope = ScopeType.INHERIT,
            description = "Log in as this user instead of using a registration key (env NEXD_USERNAME).")
    String username;

    @Option(
            names = "--password",
            defaultValue = "${env:NEXD_PASSWORD}",
            scope = ScopeType.INHERIT,
            description = "Password of --username; prefer NEXD_PASSWORD (a flag shows in the process list).")
    String password;

    @Option(
            names = "--vpc-id",
            defaultValue = "${env:NEXD_VPC_ID}",
            scope = ScopeType.INHERIT,
            description = "VPC to join (user login; default: the user's default VPC) (env NEXD_VPC_ID).")
    UUID vpcId;

    @Option(
            names = "--security-group-id",
            defaultValue = "${env:NEXAPI_SECURITY_GROUP_ID}",
            scope = ScopeType.INHERIT,
            description =
                    "Security group of this device (default: the VPC's) (env NEXAPI_SECURITY_GROUP_ID, as upstream).")
    UUID securityGroupId;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            defaultValue = "${env:NEXD_STATE_DIR}",
            scope = ScopeType.INHERIT,
            description =
                    "Keeps the WireGuard keys, port and login (state.json, mode 0600). Default /var/lib/nexd as root, "
                            + "else ~/.nexodus (env NEXD_STATE_DIR).")
    Path stateDir;

    @Option(
            names = "--unix-socket",
            paramLabel = "PATH",
            defaultValue = "${env:NEXD_UNIX_SOCKET}",
            scope = ScopeType.INHERIT,
            description =
                    "Local control socket for nexctl nexd. Default /var/run/nexd.sock as root, else ~/.nexodus/nexd.sock.")
    Path unixSocket;

    @Option(
            names = "--listen-port",
            paramLabel = "PORT",
            defaultValue = "${env:NEXD_LISTEN_PORT:-0}",
            scope = ScopeType.INHERIT,
            description =
                    "WireGuard UDP port. Default: the stored one, else a random free port (relay: 51820) (env NEXD_LISTEN_PORT).")
    int listenPort;

    @Option(
            names = "--request-ip",
            paramLabel = "IPV4",
            defaultValue = "${env:NEXD_REQUESTED_IP}",
            scope = ScopeType.INHERIT,
            description = "Ask for this IPv4 tunnel address (honoured when free) (env NEXD_REQUESTED_IP).")
    String requestIp;

    @Option(
            names = "--local-endpoint-ip",
            paramLabel = "IP",
            defaultValue = "${env:NEXD_LOCAL_ENDPOINT_IP}",
            scope = ScopeType.INHERIT,
            description =
                    "Our LAN address for peers behind the same NAT. Default: the address of the default-route interface "
                            + "(env NEXD_LOCAL_ENDPOINT_IP).")
    String localEndpointIp;

    @Option(
            names = "--stun-server",
            paramLabel = "HOST:PORT",
            defaultValue = "${env:NEXD_STUN_SERVER}",
            split = ",",
            scope = ScopeType.INHERIT,
            description =
                    "STUN server; repeat it: at least two, to detect symmetric NAT. Default: the service host's ports "
                            + "3478 and 3479 (env NEXD_STUN_SERVER, comma-separated).")
    List<String> stunServers;

    @Option(
            names = "--relay-only",
            defaultValue = "${env:NEXD_RELAY_ONLY:-false}",
            scope = ScopeType.INHERIT,
            description =
                    "Reach every ordinary peer through the VPC's relay, as if behind symmetric NAT (env NEXD_RELAY_ONLY).")
    boolean relayOnly;

    @Option(
            names = "--dns",
            defaultValue = "${env:NEXD_DNS:-false}",
            scope = ScopeType.INHERIT,
            description = "Names in the VPC: answer <hostname>." + VpcNames.ZONE
                    + " for every device of the VPC on this device's tunnel address (UDP port 53) and point the"
                    + " host's resolver at it (systemd-resolved per-link DNS, else a managed block at the top of"
                    + " /etc/resolv.conf; other names are forwarded to the resolvers the host had). Put back exactly"
                    + " on stop. Not in proxy mode (env NEXD_DNS).")
    boolean dns;

    @Option(
            names = "--rejoin",
            scope = ScopeType.INHERIT,
            description = "Join as a new device: replace the stored WireGuard key with a new one first. Needed after"
                    + " an administrator deleted this device: the service refuses the old key (410 'device deleted'),"
                    + " so nexd never brings a deleted device back by itself.")
    boolean rejoin;

    @Option(
            names = "--insecure-skip-tls-verify",
            defaultValue = "${env:NEXD_INSECURE_SKIP_TLS_VERIFY:-false}",
            scope = ScopeType.INHERIT,
            description =
                    "Do not check the service's TLS certificate (development only) (env NEXD_INSECURE_SKIP_TLS_VERIFY).")
    boolean insecureSkipTlsVerify;

    @Option(
            names = "--ca-cert",
            paramLabel = "PEM",
            defaultValue = "${env:NEXD_CA_CERT}",
            scope = ScopeType.INHERIT,
            description =
                    "Also trust this CA for the service's certificate, e.g. the one `nexodus serve --tls self-signed` "
                            + "writes (env NEXD_CA_CERT).")
    Path caCert;

    @Option(
            names = "--derp-ca-cert",
            paramLabel = "PEM",
            defaultValue = "${env:NEXD_DERP_CA_CERT}",
            scope = ScopeType.INHERIT,
            description =
                    "Also trust this CA bundle for DERP relays onboarded into the VPC with a private name and your "
                            + "own certificate (`nexd relayderp --onboard --certmode manual`; certmodemanual). Their names are "
                            + "pinned to the relay's address in a managed block of /etc/hosts (env NEXD_DERP_CA_CERT).")
    Path derpCaCert;

    @Option(
            names = "--tunnel-iface",
            paramLabel = "NAME",
            defaultValue = "${env:NEXD_TUNNEL_IFACE:-wg0}",
            scope = ScopeType.INHERIT,
            description =
                    "Name of the tunnel interface (default wg0). Its UAPI socket /var/run/wireguard/NAME.sock is global, "
                            + "so agents sharing a file system (network namespaces) need different names (env NEXD_TUNNEL_IFACE).")
    String tunnelInterface;

    @Option(
            names = "--mtu",
            defaultValue = "${env:NEXD_MTU:-1420}",
            scope = ScopeType.INHERIT,
            description = "MTU of the tunnel interface (default 1420).")
    int mtu;

    @Option(
            names = "--peer-map-max-age",
            converter = Durations.OrZero.class,
            defaultValue = "${env:NEXD_PEER_MAP_MAX_AGE:-24h}",
            scope = ScopeType.INHERIT,
            description = "When nexd starts while the service is unreachable, it brings its tunnels up from the last"
                    + " peer map the service signed for this device, if that map is younger than this (default 24h;"
                    + " 0 disables: nexd then waits for the service). Env NEXD_PEER_MAP_MAX_AGE.")
    Duration peerMapMaxAge;

    // ---- hidden: timings, for tests (see docs/nexd.md) ----

    @Option(
            names = "--peer-up-timeout",
            hidden = true,
            converter = Durations.class,
            defaultValue = "20s",
            scope = ScopeType.INHERIT)
    Duration peerUpTimeout;

    @Option(
            names = "--peer-down-timeout",
            hidden = true,
            converter = Durations.class,
            defaultValue = "45s",
            scope = ScopeType.INHERIT)
    Duration peerDownTimeout;

    @Option(
            names = "--keepalive",
            hidden = true,
            converter = Durations.class,
            defaultValue = "20s",
            scope = ScopeType.INHERIT)
    Duration keepalive;

    @Option(
            names = "--suspect-after",
            hidden = true,
            converter = Durations.class,
            defaultValue = "2s",
            scope = ScopeType.INHERIT)
    Duration suspectAfter;

    @Option(
            names = "--probe-interval",
            hidden = true,
            converter = Durations.class,
            defaultValue = "30s",
            scope = ScopeType.INHERIT)
    Duration probeInterval;

    @Option(
            names = "--retry-failed-after",
            hidden = true,
            converter = Durations.class,
            defaultValue = "3m",
            scope = ScopeType.INHERIT)
    Duration retryFailedAfter;

    @Option(
            names = "--stun-interval",
            hidden = true,
            converter = Durations.class,
            defaultValue = "20s",
            scope = ScopeType.INHERIT)
    Duration stunInterval;

    @Option(
            names = "--tick",
            hidden = true,
            converter = Durations.class,
            defaultValue = "500ms",
            scope = ScopeType.INHERIT)
    Duration tick;

    @Option(
            names = "--watch-max-backoff",
            hidden = true,
            converter = Durations.class,
            defaultValue = "5s",
            scope = ScopeType.INHERIT)
    Duration watchMaxBackoff;

    @Option(
            names = "--wireguard-go",
            hidden = true,
            defaultValue = "${env:NEXD_WIREGUARD_GO:-wireguard-go}",
            scope = ScopeType.INHERIT)
    String wireguardGoCommand;

    @Option(
            names = "--exit-node-client",
            paramLabel = "DEVICE",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "${env:NEXD_EXIT_NODE_CLIENT}",
            scope = ScopeType.INHERIT,
            description = {
                "Send this host's IPv4 internet traffic through an exit node of the VPC (a peer running nexd router"
                        + " --exit-node): DEVICE is its host name, device id, public key or tunnel address; without"
                        + " DEVICE, the VPC's only exit node (env NEXD_EXIT_NODE_CLIENT: true or a DEVICE).",
                "The choice is stored and kept across restarts; `nexctl nexd exit-node disable` ends it. Linux"
                        + " policy routing (table 51820); the service, relays, STUN servers and peers' endpoints"
                        + " bypass the exit node. When the exit node is gone, traffic is dropped (fail closed)."
            })
    String exitNodeClient;

    /** {@code --exit-node-client}'s value: empty = not given; {@code ""} = the VPC's only exit node; else a device. */
    static Optional<String> exitNodeClient(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.isEmpty() || v.equalsIgnoreCase("false") || v.equals("0")) {
            return Optional.empty();
        }
        return Optional.of(v.equalsIgnoreCase("true") || v.equals("1") ? "" : v);
    }

    /** Builds the agent's configuration; throws {@link IllegalArgumentException} with a message for people. */
    public AgentConfig toConfig(
            AgentConfig.Mode mode, Map<String, String> env, boolean root, String home, String hostname) {
        URI service = null;
        Optional<String> rk = Optional.empty();
        if (regKey != null && !regKey.isBlank()) {
            String k = regKey.strip();
            if (k.startsWith("https://") || k.startsWith("http://")) {
                int hash = k.indexOf('#');
                if (hash < 0 || hash == k.length() - 1) {
                    throw new IllegalArgumentException("--reg-key " + k + ": the URL form is https://host#RK:...");
                }
                if (serviceUrl != null && !serviceUrl.isBlank()) {
                    throw new IllegalArgumentException(
                            "--reg-key with a service URL and --service-url exclude each other");
                }
                if (vpcId != null || securityGroupId != null) {
                    throw new IllegalArgumentException(
                            "--reg-key https://...#RK:... and --vpc-id/--security-group-id exclude "
                                    + "each other (the key names its VPC and security group)");
                }
                service = serviceUri(k.substring(0, hash), "--reg-key");
                k = k.substring(hash + 1);
            }
            if (!k.startsWith("RK:") || k.length() <= 3) {
                throw new IllegalArgumentException("--reg-key must be RK:... or https://host#RK:...");
            }
            rk = Optional.of(k);
        }
        if (service == null) {
            if (serviceUrl == null || serviceUrl.isBlank()) {
                throw new IllegalArgumentException(
                        "no service: give --service-url https://host[:port] (or NEXD_SERVICE_URL), "
                                + "or --reg-key https://host#RK:...");
            }
            service = serviceUri(serviceUrl.strip(), "--service-url");
        }
        if (rk.isPresent() && username != null) {
            throw new IllegalArgumentException("--reg-key and --username exclude each other");
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("--password needs --username");
        }
        if (rk.isPresent() && vpcId != null) {
            throw new IllegalArgumentException("--vpc-id does not go with --reg-key (the key names its VPC)");
        }
        Optional<String> request = Optional.empty();
        if (requestIp != null && !requestIp.isBlank()) {
            InetAddress ip = Addresses.parseIp(requestIp)
                    .orElseThrow(
                            () -> new IllegalArgumentException("--request-ip " + requestIp + " is not an IP address"));
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("--request-ip must be an IPv4 address");
            }
            request = Optional.of(ip.getHostAddress());
        }
        Optional<InetAddress> local = Optional.empty();
        if (localEndpointIp != null && !localEndpointIp.isBlank()) {
            local = Optional.of(Addresses.parseIp(localEndpointIp)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "--local-endpoint-ip " + localEndpointIp + " is not an IP address")));
        }
        List<String> stun = new ArrayList<>();
        if (stunServers != null) {
            for (String s : stunServers) {
                if (s != null && !s.isBlank()) {
                    stun.add(s.strip());
                }
            }
        }
        if (!stun.isEmpty() && stun.size() < 2) {
            throw new IllegalArgumentException(
                    "give at least two --stun-server (two servers seeing different mappings is "
                            + "how symmetric NAT is detected)");
        }
        if (stun.isEmpty()) {
            String host = service.getHost().contains(":") ? "[" + service.getHost() + "]" : service.getHost();
            stun = List.of(host + ":3478", host + ":3479");
        }
        for (String s : stun) {
            if (!s.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("--stun-server " + s + " is not host[:port]");
            }
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("--listen-port must be 0..65535");
        }
        if (tunnelInterface == null
                || tunnelInterface.isBlank()
                || tunnelInterface.length() > 15
                || !tunnelInterface.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(
                    "--tunnel-iface must be 1-15 characters of letters, digits, '_', '.', '-'");
        }
        if (mtu < 576 || mtu > 65455) {
            throw new IllegalArgumentException("--mtu must be 576..65455");
        }
        if (caCert != null && !Files.isReadable(caCert)) {
            throw new IllegalArgumentException("--ca-cert " + caCert + " is not a readable file");
        }
        if (derpCaCert != null && !Files.isReadable(derpCaCert)) {
            throw new IllegalArgumentException("--derp-ca-cert " + derpCaCert + " is not a readable file");
        }
        TlsOptions tls = insecureSkipTlsVerify
                ? TlsOptions.insecure()
                : caCert != null ? TlsOptions.trusting(caCert) : TlsOptions.DEFAULT;
        Path state = stateDir != null ? stateDir : root ? Path.of("/var/lib/nexd") : Path.of(home, ".nexodus");
        Path socket = unixSocket != null
                ? unixSocket
                : root ? Path.of("/var/run/nexd.sock") : Path.of(home, ".nexodus", "nexd.sock");
        String useGo = env.getOrDefault("NEXD_USE_WIREGUARD_GO", "");
        List<String> goCommand = List.of();
        if (!useGo.isBlank() && !useGo.equals("0") && !useGo.equalsIgnoreCase("false")) {
            goCommand = List.of(wireguardGoCommand.strip().split("\\s+"));
            if (!goCommand.contains("-f") && !goCommand.contains("--foreground")) {
                goCommand = new ArrayList<>(goCommand);
                goCommand.add("-f");
            }
        }
        PeeringTimeouts timeouts = new PeeringTimeouts(
                keepalive,
                peerUpTimeout,
                peerDownTimeout,
                suspectAfter,
                probeInterval,
                retryFailedAfter,
                PeeringTimeouts.DEFAULT.initialKicks());
        return new AgentConfig(
                mode,
                service,
                tls,
                rk,
                Optional.ofNullable(username),
                Optional.ofNullable(password),
                Optional.ofNullable(vpcId),
                Optional.ofNullable(securityGroupId),
                state,
                socket,
                listenPort,
                request,
                local,
                stun,
                relayOnly,
                tunnelInterface,
                mtu,
                goCommand,
                hostname,
                timeouts,
                stunInterval,
                tick,
                watchMaxBackoff,
                Optional.ofNullable(derpCaCert),
                RouterConfig.NONE,
                ProxyConfig.NONE,
                exitNodeClient(exitNodeClient),
                peerMapMaxAge);
    }

    private static URI serviceUri(String text, String flag) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(flag + " " + text + " is not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException(flag + " must be https://host[:port] (got " + text + ")");
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException(flag + " " + text + " has no host");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException(flag + " " + text + " must not have a query or fragment");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
        return URI.create(scheme + "://" + u.getRawAuthority() + path);
    }
}
