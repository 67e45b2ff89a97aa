package io.nexodus.nexd.endpoint;

import io.nexodus.nexd.wg.DatagramPort;
import io.nexodus.stun.BindingResult;
import io.nexodus.stun.StunClient;
import io.nexodus.stun.StunClientConfig;
import java.net.InetSocketAddress;

/**
 * {@link ReflexiveProbe} over the {@code stun} module's client, sending from a {@link DatagramPort} (the WireGuard
 * socket): requests go out through the port, and the port's STUN datagrams are delivered back to the client.
 */
public final class StunClientProbe implements ReflexiveProbe {
    private final StunClient client;

    public StunClientProbe(DatagramPort port, StunClientConfig config) {
        this.client = new StunClient(port::send, config);
        port.onReceive(client::deliver);
    }

    /** A factory for the agent. */
    public static StunProbeFactory factory(StunClientConfig config) {
        return port -> new StunClientProbe(port, config);
    }

    @Override
    public StunAnswer query(InetSocketAddress server) throws InterruptedException {
        return switch (client.bind(server)) {
            case BindingResult.Success s -> StunAnswer.of(server, s.reflexive());
            case BindingResult.Timeout t ->
                StunAnswer.failed(
                        server,
                        "no answer after " + t.attempts() + " requests ("
                                + t.elapsed().toMillis() + " ms)");
            case BindingResult.ErrorResponse e ->
                StunAnswer.failed(server, "error response " + e.code() + " " + e.reason());
            case BindingResult.Failure f -> StunAnswer.failed(server, f.reason());
        };
    }
}
