package io.nexodus.wireguard.bind;

/**
 * Where a peer's packets go and where a received packet came from. The device treats endpoints as opaque values:
 * it stores the source endpoint of every authenticated packet as the peer's endpoint (roaming) and hands it back to
 * the {@link Bind} to send. {@link UdpEndpoint} is the ordinary case; a bind that adds another transport (for
 * example DERP over TLS) defines its own endpoint type and routes sends by type. Implementations must be immutable
 * and implement {@code equals}/{@code hashCode}.
 */
public interface Endpoint {
    /**
     * The endpoint in UAPI form, {@code a.b.c.d:port} or {@code [v6]:port}, as {@code wg show} prints it. An endpoint
     * that has no IP form should return a stable placeholder address in that form.
     */
    String uapiString();

    /**
     * Bytes that identify the sender for cookie MACs and the handshake rate limiter (for UDP: the IP address bytes
     * followed by the port). Only this host ever checks them.
     */
    byte[] cookieBytes();

    /** Bytes identifying the sender's network for the per-source handshake rate limit (for UDP: the IP, /64 for v6). */
    default byte[] rateLimitKey() {
        return cookieBytes();
    }
}
