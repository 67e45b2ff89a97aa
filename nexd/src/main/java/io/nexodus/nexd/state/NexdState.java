package io.nexodus.nexd.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What nexd keeps across restarts, in {@code <state-dir>/state.json} with upstream Nexodus' keys, so a restarted agent
 * is the same device (same WireGuard key, hence the same device record and tunnel IPs) and keeps its port (so NAT
 * mappings and peers' configured endpoints stay valid).
 *
 * @param authToken        the user login (username/password or device flow) for token refresh; null with a reg key
 * @param publicKey        WireGuard public key, base64
 * @param privateKey       WireGuard private key, base64
 * @param proxyRulesConfig {@code nexd proxy} rules added at run time ({@code nexctl nexd proxy add}), restored at start
 * @param port             the WireGuard UDP listen port; 0 = not chosen yet
 * @param exitNode         the exit node this device uses ({@code nexctl nexd exit-node enable}) as the user named it,
 *                         {@code ""} for the VPC's only one; null when it uses none (our own key: upstream keeps the
 *                         choice in memory only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record NexdState(
        @JsonProperty("auth-token") StoredToken authToken,
        @JsonProperty("public-key") String publicKey,
        @JsonProperty("private-key") String privateKey,
        @JsonProperty("proxy-rules-config") ProxyRulesConfig proxyRulesConfig,
        @JsonProperty("port") int port,
        @JsonProperty("exit-node") String exitNode) {

    public static final NexdState EMPTY = new NexdState(null, null, null, null, 0, null);

    public NexdState withExitNode(String selector) {
        return new NexdState(authToken, publicKey, privateKey, proxyRulesConfig, port, selector);
    }

    public NexdState withKeys(String publicKeyBase64, String privateKeyBase64) {
        return new NexdState(authToken, publicKeyBase64, privateKeyBase64, proxyRulesConfig, port, exitNode);
    }

    public NexdState withPort(int newPort) {
        return new NexdState(authToken, publicKey, privateKey, proxyRulesConfig, newPort, exitNode);
    }

    public NexdState withAuthToken(StoredToken token) {
        return new NexdState(token, publicKey, privateKey, proxyRulesConfig, port, exitNode);
    }

    public NexdState withProxyRules(ProxyRulesConfig rules) {
        return new NexdState(authToken, publicKey, privateKey, rules, port, exitNode);
    }

    /** The stored proxy rules (none when the file has none). */
    public ProxyRulesConfig proxyRules() {
        return proxyRulesConfig == null ? new ProxyRulesConfig(null, null) : proxyRulesConfig;
    }

    public boolean hasKeys() {
        return publicKey != null && !publicKey.isBlank() && privateKey != null && !privateKey.isBlank();
    }
}
