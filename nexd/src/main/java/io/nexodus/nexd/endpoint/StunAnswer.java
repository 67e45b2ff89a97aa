package io.nexodus.nexd.endpoint;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * How one STUN Binding query ended.
 *
 * @param server    the STUN server asked
 * @param reflexive our address as the server saw it; empty when it did not answer usefully
 * @param problem   why there is no address (timeout, send failure, error response); empty on success
 */
public record StunAnswer(InetSocketAddress server, Optional<InetSocketAddress> reflexive, Optional<String> problem) {
    public static StunAnswer of(InetSocketAddress server, InetSocketAddress reflexive) {
        return new StunAnswer(server, Optional.of(reflexive), Optional.empty());
    }

    public static StunAnswer failed(InetSocketAddress server, String problem) {
        return new StunAnswer(server, Optional.empty(), Optional.of(problem));
    }

    public boolean answered() {
        return reflexive.isPresent();
    }
}
