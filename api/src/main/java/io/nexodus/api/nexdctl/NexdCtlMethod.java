package io.nexodus.api.nexdctl;

import java.util.Optional;

/**
 * The methods of the {@code NexdCtl} service. Each takes one string parameter ({@code ""} when unused) and returns a
 * string; the comment says what the string holds.
 */
public enum NexdCtlMethod {
    /** → {@link NexdStatus} text {@code "Status: Running\n<message>"}. */
    STATUS("Status"),
    /** → the agent's version (nexctl refuses to work with a different one). */
    VERSION("Version"),
    /** → this device's IPv4 tunnel address, e.g. {@code 100.64.0.3}. */
    GET_TUNNEL_IPV4("GetTunnelIPv4"),
    /** → this device's IPv6 tunnel address. */
    GET_TUNNEL_IPV6("GetTunnelIPv6"),
    /** → JSON {@link ListPeersResult}. */
    LIST_PEERS("ListPeers"),
    /** → JSON {@link ConnectivityResult} after probing every peer's IPv4 tunnel address. */
    CONNECTIVITY_V4("ConnectivityV4"),
    /** → JSON {@link ConnectivityResult} for IPv6. */
    CONNECTIVITY_V6("ConnectivityV6"),
    /** → one line per proxy rule, {@code --ingress tcp:80:127.0.0.1:8080}. */
    PROXY_LIST("ProxyList"),
    /** (rule) → a confirmation line. */
    PROXY_ADD_INGRESS("ProxyAddIngress"),
    /** (rule) → a confirmation line. */
    PROXY_ADD_EGRESS("ProxyAddEgress"),
    /** (rule) → a confirmation line. */
    PROXY_REMOVE_INGRESS("ProxyRemoveIngress"),
    /** (rule) → a confirmation line. */
    PROXY_REMOVE_EGRESS("ProxyRemoveEgress"),
    /** → a confirmation line; debug logging is on afterwards. */
    SET_DEBUG_ON("SetDebugOn"),
    /** → a confirmation line; debug logging is off afterwards. */
    SET_DEBUG_OFF("SetDebugOff"),
    /** → {@code "on"} or {@code "off"}. */
    GET_DEBUG("GetDebug"),
    /** → a confirmation line; traffic now leaves through an exit node. */
    ENABLE_EXIT_NODE_CLIENT("EnableExitNodeClient"),
    /** → a confirmation line. */
    DISABLE_EXIT_NODE_CLIENT("DisableExitNodeClient"),
    /** → JSON array of {@link ExitNode}. */
    LIST_EXIT_NODES("ListExitNodes");

    /** The RPC service name. */
    public static final String SERVICE = "NexdCtl";

    private final String methodName;

    NexdCtlMethod(String methodName) {
        this.methodName = methodName;
    }

    /** The method's name, e.g. {@code ListPeers}. */
    public String methodName() {
        return methodName;
    }

    /** The name on the wire, e.g. {@code NexdCtl.ListPeers}. */
    public String wireName() {
        return SERVICE + "." + methodName;
    }

    /** The method a wire name denotes. */
    public static Optional<NexdCtlMethod> fromWireName(String wire) {
        for (NexdCtlMethod m : values()) {
            if (m.wireName().equals(wire)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
