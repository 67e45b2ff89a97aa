package io.nexodus.api.nexdctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a running agent offers on its control socket; {@link NexdCtlServer} serves an implementation. Methods run on
 * the connection's virtual thread and may block (the connectivity probe takes seconds). A method fails by throwing:
 * the exception's message becomes the JSON-RPC {@code error} string the user sees. Optional features have defaults
 * that fail with "not supported".
 */
public interface NexdCtl {

    /** The agent's version ({@link NexodusVersion#current()}); nexctl compares it with its own. */
    String version();

    NexdStatus status();

    /** This device's tunnel address of the family, without prefix length; fail while the device is not registered. */
    String tunnelIp(IpFamily family);

    ListPeersResult listPeers();

    /** Probes every peer's tunnel address of the family and reports what answered (takes a few seconds). */
    ConnectivityResult connectivity(IpFamily family);

    /** Whether debug logging is on. */
    boolean debug();

    /** Turns debug logging on or off. */
    void setDebug(boolean on);

    /** What a nexd that is not {@code nexd proxy} (userspace proxy mode) answers for proxy rules. */
    String PROXY_MODE_ONLY = "this nexd does not run in proxy mode; proxy rules need `nexd proxy`";

    /** What a nexd that cannot use an exit node ({@code nexd proxy}, a test double) answers for exit-node requests. */
    String EXIT_NODE_NOT_SUPPORTED = "this nexd cannot use an exit node";

    /** The proxy rules, one per line in their flag form ({@code --ingress tcp:80:127.0.0.1:8080}). */
    default List<String> proxyList() {
        throw new UnsupportedOperationException(PROXY_MODE_ONLY);
    }

    /** Adds a rule ({@code protocol:port:destination_ip:destination_port}); returns a confirmation line. */
    default String proxyAdd(ProxyDirection direction, String rule) {
        throw new UnsupportedOperationException(PROXY_MODE_ONLY);
    }

    /** Removes a rule; returns a confirmation line. */
    default String proxyRemove(ProxyDirection direction, String rule) {
        throw new UnsupportedOperationException(PROXY_MODE_ONLY);
    }

    /** The VPC's devices that offer themselves as exit nodes. */
    default List<ExitNode> listExitNodes() {
        throw new UnsupportedOperationException(EXIT_NODE_NOT_SUPPORTED);
    }

    /**
     * Routes this device's internet traffic through the exit node {@code device} (host name, device id, public key or
     * tunnel address; {@code ""}: the VPC's only exit node); returns a confirmation line.
     */
    default String enableExitNodeClient(String device) {
        throw new UnsupportedOperationException(EXIT_NODE_NOT_SUPPORTED);
    }

    /** Stops using an exit node and restores the routing; returns a confirmation line. */
    default String disableExitNodeClient() {
        throw new UnsupportedOperationException(EXIT_NODE_NOT_SUPPORTED);
    }

    /** Upstream's default socket: {@code /var/run/nexd.sock} for root, {@code $HOME/.nexodus/nexd.sock} otherwise. */
    static Path defaultSocketPath() {
        return defaultSocketPath(isRoot(), System.getProperty("user.home"));
    }

    static Path defaultSocketPath(boolean root, String home) {
        return root ? Path.of("/var/run/nexd.sock") : Path.of(home, ".nexodus", "nexd.sock");
    }

    /** Whether this process runs as uid 0 (Linux: the owner of {@code /proc/self}). */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
