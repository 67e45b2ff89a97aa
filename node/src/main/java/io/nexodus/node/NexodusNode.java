package io.nexodus.node;

import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.TcpSocket;
import io.nexodus.netstack.UdpSocket;
import io.nexodus.nexd.agent.Agent;
import io.nexodus.nexd.agent.AgentConfig;
import io.nexodus.nexd.agent.AgentStatus;
import io.nexodus.nexd.agent.LocalHostname;
import io.nexodus.nexd.agent.ProxyConfig;
import io.nexodus.nexd.agent.RouterConfig;
import io.nexodus.nexd.endpoint.StunClientProbe;
import io.nexodus.nexd.net.CommandRunner;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.stun.StunClientConfig;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * A device of a Nexodus VPC inside this JVM: no root, no TUN, no native code. {@link Builder#start()} runs nexd's
 * agent in proxy mode — the same registration, watch, STUN, hole punching, WireGuard and DERP relays and security-group
 * filter as {@code nexd proxy} — with the built-in WireGuard on a userspace TCP/IP stack that holds this device's
 * tunnel addresses. The application then gets mesh sockets on those addresses:
 *
 * <pre>{@code
 * try (NexodusNode node = NexodusNode.builder()
 *         .regKey("https://nexodus.example.com#RK:...")   // or .serviceUrl(..).regKey("RK:..."), or .login(user, pw)
 *         .stateDir(Path.of("node-state"))               // keys and WireGuard port: the same device next time
 *         .start()) {                                    // returns once registered and the stack is up
 *     ServerSocket server = node.listen(8080);            // peers connect to node.tunnelAddress():8080
 *     Socket client = node.connect(InetAddress.ofLiteral("100.64.0.7"), 80);
 * }
 * }</pre>
 *
 * Sockets are {@link MeshServerSocket} and {@link MeshSocket} (subclasses of {@link java.net.ServerSocket} and
 * {@link java.net.Socket} whose streams run on the userspace stack); {@link #openUdp} gives a UDP port;
 * {@link #forward} exposes a server that only listens on kernel sockets (such as the JDK's {@code HttpServer} on
 * loopback) at a mesh port. Only this JVM's code reaches the mesh through these sockets: the host's other programs
 * and its routes are untouched, and peers reach only the ports opened here.
 * <p>
 * The node keeps running until {@link #close()}, which stops the agent (the device stays registered, as after
 * stopping nexd: the next start with the same state directory is the same device). A control socket
 * ({@code nexctl nexd --unix-socket <state dir>/nexd.sock status}, peers, connectivity) serves as for nexd. Logging goes
 * through SLF4J under {@code io.nexodus}. Thread-safe.
 */
public final class NexodusNode implements AutoCloseable {
    /** {@link #connect(InetAddress, int)}'s timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** {@link #listen(int)}'s backlog (as {@link java.net.ServerSocket}'s). */
    public static final int DEFAULT_BACKLOG = 50;

    /** Where sockets are opened: the agent's userspace stack now (replaced when the tunnel addresses change). */
    @FunctionalInterface
    interface StackSource {
        /** The stack now; throws when there is none (the node is closed). */
        NetStack current() throws SocketException;
    }

    private final StackSource stacks;
    private final Supplier<String> status;
    private final Runnable stop;
    /** Closed before the agent, so their accept loops end quietly. */
    private final Set<MeshForward> forwards = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    /**
     * @param stacks the agent's stack
     * @param status a line for people (the agent's status)
     * @param stop   stops the agent
     */
    NexodusNode(StackSource stacks, Supplier<String> status, Runnable stop) {
        this.stacks = stacks;
        this.status = status;
        this.stop = stop;
    }

    public static Builder builder() {
        return new Builder();
    }

    private NetStack stack() throws SocketException {
        if (closed) {
            throw new SocketException("the Nexodus node is closed");
        }
        return stacks.current();
    }

    /** This device's IPv4 tunnel address, where peers reach the ports opened by {@link #listen}. */
    public InetAddress tunnelAddress() {
        try {
            NetStack s = stack();
            return address(s, Inet4Address.class)
                    .orElseGet(() -> s.config().addresses().getFirst());
        } catch (SocketException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** This device's IPv6 tunnel address, if the VPC has IPv6. */
    public Optional<InetAddress> tunnelAddressV6() {
        try {
            return address(stack(), Inet6Address.class);
        } catch (SocketException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Optional<InetAddress> address(NetStack stack, Class<? extends InetAddress> family) {
        return stack.config().addresses().stream().filter(family::isInstance).findFirst();
    }

    /** The agent's state for people, as {@code nexctl nexd status} shows it (e.g. {@code proxy device ... running}). */
    public String status() {
        return status.get();
    }

    /**
     * Listens on {@code port} (1..65535, or 0 for a free one) of this device's tunnel addresses (IPv4 and IPv6).
     *
     * @throws java.net.BindException when this node listens on that port already
     */
    public MeshServerSocket listen(int port) throws IOException {
        return listen(port, DEFAULT_BACKLOG);
    }

    /** As {@link #listen(int)}; {@code backlog} bounds the connections being set up plus those not yet accepted. */
    public MeshServerSocket listen(int port, int backlog) throws IOException {
        checkPort(port, true);
        return new MeshServerSocket(this::stack, port, backlog);
    }

    /** Connects to a peer's TCP port (a tunnel address of the VPC), waiting at most {@link #DEFAULT_CONNECT_TIMEOUT}. */
    public MeshSocket connect(InetAddress address, int port) throws IOException {
        return connect(new InetSocketAddress(address, port), DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Connects to a peer's TCP port. The first connection to a peer may wait for its WireGuard handshake: the
     * SYN is retransmitted meanwhile.
     *
     * @throws java.net.ConnectException       the peer refused (reset)
     * @throws java.net.SocketTimeoutException no answer within {@code timeout} (no such peer, or a security group
     *                                         dropped it)
     */
    public MeshSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("not an IP address: " + address.getHostString()
                    + " (the mesh has no DNS here: use the peer's tunnel address)");
        }
        return new MeshSocket(openTcp(address, timeout));
    }

    /**
     * A {@link javax.net.SocketFactory} whose sockets are mesh connections of this node, for libraries that take one
     * (HTTP clients such as OkHttp, database drivers, SSH clients...): they reach peers' tunnel addresses, given as
     * IP addresses (the mesh has no DNS here).
     */
    public MeshSocketFactory socketFactory() {
        return new MeshSocketFactory(this);
    }

    /** The stack's connection to a resolved address (the checks every way of connecting shares). */
    TcpSocket openTcp(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        checkPort(address.getPort(), false);
        return stack().connect(address, timeout);
    }

    /**
     * A UDP port (1..65535, or 0 for a free one) on this device's tunnel addresses. It belongs to the stack of the
     * moment: when the service gives this device other addresses it is closed and must be opened again. Datagrams
     * larger than the tunnel MTU allows are refused (the stack does not fragment).
     */
    public UdpSocket openUdp(int port) throws IOException {
        checkPort(port, true);
        return stack().openUdp(port);
    }

    /**
     * Forwards the mesh TCP port {@code meshPort} to {@code target} on this host's network (usually a server on
     * 127.0.0.1): for servers that accept only kernel sockets, such as the JDK's {@code HttpServer}. The target sees
     * connections from this host, not the peer's address. Close the result to stop.
     */
    public MeshForward forward(int meshPort, InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("target is not resolved: " + target);
        }
        MeshForward f = new MeshForward(listen(meshPort), target, forwards::remove);
        forwards.add(f);
        if (closed) {
            f.close();
        }
        return f;
    }

    /**
     * Stops the agent: every mesh socket of this node is reset and the WireGuard port closed. The device stays
     * registered in the VPC (delete it with nexctl to remove it).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        forwards.forEach(MeshForward::close);
        stop.run();
    }

    private static void checkPort(int port, boolean zeroOk) {
        if (port < (zeroOk ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("port outside " + (zeroOk ? 0 : 1) + "..65535: " + port);
        }
    }

    @Override
    public String toString() {
        return "NexodusNode[" + (closed ? "closed" : status()) + "]";
    }

    /**
     * How to join: the service and credentials (a registration key, or a user login), the state directory; then
     * {@link #start()}. Mirrors nexd's flags of the same names (docs/nexd.md); what is not here is nexd's default.
     */
    public static final class Builder {
        /** The tunnel device's name in logs and status (there is no interface of that name on the host). */
        static final String DEVICE_NAME = "nexnode0";

        static final int MAX_SOCKET_PATH = 107;

        private String serviceUrl;
        private String regKey;
        private String username;
        private String password;
        private UUID vpcId;
        private Path stateDir;
        private Path controlSocket;
        private Path caCert;
        private String hostname;
        private int listenPort;
        private final List<String> stunServers = new ArrayList<>();
        private int mtu = 1420;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {}

        /** The Nexodus service, {@code https://host[:port]} (not needed with a key of the form {@code https://host#RK:...}). */
        public Builder serviceUrl(String url) {
            this.serviceUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** As {@link #serviceUrl(String)}. */
        public Builder serviceUrl(URI url) {
            return serviceUrl(Objects.requireNonNull(url, "url").toString());
        }

        /**
         * A registration key ({@code RK:...}, from {@code nexctl reg-key create}), or {@code https://host#RK:...}
         * which also names the service. Excludes {@link #login}.
         */
        public Builder regKey(String key) {
            this.regKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Logs in as a user (the identity provider's password grant) instead of a registration key; the token is
         * kept in the state directory. Without a registration key and a login, a login token kept there by an
         * earlier start is used.
         */
        public Builder login(String username, String password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** With a user login: the VPC to join (default: the user's default VPC). */
        public Builder vpcId(UUID id) {
            this.vpcId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Keeps this device's WireGuard keys, port and login (created 0700 if missing): the same directory makes
         * the next start the same device. One running node (or nexd) per directory. Required.
         */
        public Builder stateDir(Path dir) {
            this.stateDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The control socket for {@code nexctl nexd --unix-socket PATH} (default: {@code <state dir>/nexd.sock}). */
        public Builder controlSocket(Path path) {
            this.controlSocket = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Also trust this CA (PEM) for the service's certificate, e.g. the one {@code nexodus serve} wrote. */
        public Builder caCert(Path pem) {
            this.caCert = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /** This device's name in the VPC (default: this host's name). */
        public Builder hostname(String name) {
            this.hostname = Objects.requireNonNull(name, "name");
            return this;
        }

        /** WireGuard's UDP port on this host (default: the stored one, else a free one; above 1023 without root). */
        public Builder listenPort(int port) {
            checkPort(port, true);
            this.listenPort = port;
            return this;
        }

        /** STUN servers {@code host[:port]}, at least two (default: the service host's ports 3478 and 3479). */
        public Builder stunServers(String... servers) {
            stunServers.clear();
            stunServers.addAll(List.of(servers));
            return this;
        }

        /** The tunnel MTU (default 1420; at least 1280, the userspace stack's minimum). */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /**
         * How long {@link #start()} waits for the node to run (default 60 s). Until then the agent retries an
         * unreachable service, as nexd does.
         */
        public Builder startTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the start timeout must be positive");
            }
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Joins the VPC and returns once this device is registered, its tunnel addresses are on the userspace stack
         * and the agent runs (peers are set up as they arrive; a first connection may wait for a handshake).
         *
         * @throws IllegalArgumentException a setting is wrong or missing (the message names it)
         * @throws NodeStartException       the agent could not start or join within the start timeout
         */
        public NexodusNode start() throws NodeStartException {
            AgentConfig config = agentConfig();
            Agent agent = new Agent(
                    config,
                    StunClientProbe.factory(StunClientConfig.defaults().withSoftware("nexodus-node")),
                    Clock.systemUTC(),
                    NO_COMMANDS,
                    NexodusVersion.current());
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform()
                    .name("nexodus-node-agent")
                    .daemon()
                    .start(() -> {
                        try {
                            agent.run();
                            ended.complete(null);
                        } catch (Throwable t) {
                            ended.completeExceptionally(t);
                        }
                    });
            Runnable stop = () -> {
                agent.close();
                try {
                    runner.join(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            long deadline = System.nanoTime() + startTimeout.toNanos();
            try {
                while (!running(agent)) {
                    if (ended.isDone()) {
                        throw new NodeStartException(
                                "cannot join the VPC: " + why(ended).orElse("the agent stopped before it joined"),
                                cause(ended));
                    }
                    if (System.nanoTime() - deadline > 0) {
                        String what = agent.status().message();
                        stop.run();
                        throw new NodeStartException("not joined within " + startTimeout.toSeconds() + " s"
                                + (what.isBlank() ? "" : ": " + what));
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                stop.run();
                Thread.currentThread().interrupt();
                throw new NodeStartException("interrupted while joining the VPC", e);
            }
            return new NexodusNode(
                    () -> agent.userspaceStack()
                            .orElseThrow(() -> new SocketException("the node has no network stack")),
                    () -> agent.status().message(),
                    stop);
        }

        private static boolean running(Agent agent) {
            return AgentStatus.RUNNING.equals(agent.status().state())
                    && agent.userspaceStack().isPresent();
        }

        private static Optional<String> why(CompletableFuture<Void> ended) {
            Throwable t = cause(ended);
            return t == null ? Optional.empty() : Optional.of(String.valueOf(t.getMessage()));
        }

        private static Throwable cause(CompletableFuture<Void> ended) {
            try {
                ended.get();
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            }
        }

        /** The agent's configuration: {@code nexd proxy} without rules, with this builder's settings. */
        AgentConfig agentConfig() {
            if (stateDir == null) {
                throw new IllegalArgumentException("stateDir is required (the device's keys live there)");
            }
            URI service = null;
            Optional<String> rk = Optional.empty();
            if (regKey != null) {
                String k = regKey.strip();
                if (k.startsWith("https://") || k.startsWith("http://")) {
                    int hash = k.indexOf('#');
                    if (hash < 0 || hash == k.length() - 1) {
                        throw new IllegalArgumentException("regKey: the URL form is https://host#RK:...");
                    }
                    if (serviceUrl != null) {
                        throw new IllegalArgumentException(
                                "regKey https://host#RK:... names the service: do not set serviceUrl as well");
                    }
                    service = serviceUri(k.substring(0, hash), "regKey");
                    k = k.substring(hash + 1);
                }
                if (!k.startsWith("RK:") || k.length() <= 3) {
                    throw new IllegalArgumentException("regKey must be RK:... or https://host#RK:...");
                }
                if (username != null) {
                    throw new IllegalArgumentException("regKey and login exclude each other");
                }
                if (vpcId != null) {
                    throw new IllegalArgumentException("vpcId does not go with regKey (the key names its VPC)");
                }
                rk = Optional.of(k);
            }
            if (service == null) {
                if (serviceUrl == null || serviceUrl.isBlank()) {
                    throw new IllegalArgumentException(
                            "serviceUrl is required (or a regKey of the form https://host#RK:...)");
                }
                service = serviceUri(serviceUrl.strip(), "serviceUrl");
            }
            if (rk.isEmpty() && username == null && !hasStoredLogin(stateDir)) {
                throw new IllegalArgumentException("no credentials: set regKey or login, or use a stateDir with a"
                        + " login kept by an earlier start (" + stateDir + " has none)");
            }
            if (caCert != null && !Files.isReadable(caCert)) {
                throw new IllegalArgumentException("caCert " + caCert + " is not a readable file");
            }
            if (mtu < 1280 || mtu > 65455) {
                throw new IllegalArgumentException("mtu must be 1280..65455 (1280: the userspace stack's minimum)");
            }
            Path socket = controlSocket != null ? controlSocket : stateDir.resolve("nexd.sock");
            if (socket.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new IllegalArgumentException("the control socket path " + socket.toAbsolutePath()
                        + " is longer than a unix socket allows (" + MAX_SOCKET_PATH
                        + " bytes): set controlSocket to a shorter path");
            }
            List<String> stun = new ArrayList<>();
            for (String s : stunServers) {
                if (s != null && !s.isBlank()) {
                    stun.add(s.strip());
                }
            }
            if (stun.size() == 1) {
                throw new IllegalArgumentException("give at least two stunServers (two servers seeing different"
                        + " mappings is how symmetric NAT is detected)");
            }
            if (stun.isEmpty()) {
                String host = service.getHost().contains(":") ? "[" + service.getHost() + "]" : service.getHost();
                stun = List.of(host + ":3478", host + ":3479");
            }
            return new AgentConfig(
                    AgentConfig.Mode.AGENT,
                    service,
                    caCert != null ? TlsOptions.trusting(caCert) : TlsOptions.DEFAULT,
                    rk,
                    Optional.ofNullable(username),
                    Optional.ofNullable(password),
                    Optional.ofNullable(vpcId),
                    Optional.empty(),
                    stateDir,
                    socket,
                    listenPort,
                    Optional.empty(),
                    Optional.empty(),
                    stun,
                    false,
                    DEVICE_NAME,
                    mtu,
                    List.of(),
                    hostname != null ? hostname : LocalHostname.read("nexodus-node"),
                    PeeringTimeouts.DEFAULT,
                    Duration.ofSeconds(20),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(5),
                    Optional.empty(),
                    RouterConfig.NONE,
                    new ProxyConfig(true, List.of()),
                    Optional.empty(),
                    // like nexd proxy, a node waits for the service at start: it never starts from a stored peer map
                    Duration.ZERO);
        }

        private static boolean hasStoredLogin(Path dir) {
            try {
                return new StateStore(dir).load().authToken() != null;
            } catch (StateException e) {
                return false;
            }
        }

        private static URI serviceUri(String text, String what) {
            URI u;
            try {
                u = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(what + " " + text + " is not a URL", e);
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new IllegalArgumentException(what + " must be https://host[:port] (got " + text + ")");
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException(what + " " + text + " has no host");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException(what + " " + text + " must not have a query or fragment");
            }
            String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
            return URI.create(scheme + "://" + u.getRawAuthority() + path);
        }
    }

    /**
     * The node changes nothing on the host: in proxy mode the agent needs no {@code ip} or {@code nft}, and should
     * it ever ask, it is told no instead of running a tool.
     */
    static final CommandRunner NO_COMMANDS = (argv, stdin) -> {
        throw new NetConfigException(
                "the embedded Nexodus node runs no host commands (asked for " + String.join(" ", argv) + ")", null);
    };
}
