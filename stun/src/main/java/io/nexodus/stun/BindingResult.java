package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/** How one Binding transaction with {@link #server()} ended. */
public sealed interface BindingResult {
    InetSocketAddress server();

    /** The reflexive address, if the server told us one. */
    default Optional<InetSocketAddress> mappedAddress() {
        return this instanceof Success s ? Optional.of(s.reflexive()) : Optional.empty();
    }

    /**
     * The server answered: {@code reflexive} is our address as it saw it (XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS).
     * {@code attempts} = requests sent; {@code elapsed} runs from the first send (with retransmissions it is not an
     * RTT sample, per Karn's rule).
     */
    record Success(InetSocketAddress server, InetSocketAddress reflexive, int attempts, Duration elapsed)
            implements BindingResult {}

    /** The server answered with an error response (e.g. 420 Unknown Attribute). */
    record ErrorResponse(InetSocketAddress server, int code, String reason) implements BindingResult {}

    /** No answer before the schedule ran out. */
    record Timeout(InetSocketAddress server, int attempts, Duration elapsed) implements BindingResult {}

    /** The transaction could not run or its answer was unusable (send failures, client closed, no address). */
    record Failure(InetSocketAddress server, String reason) implements BindingResult {}
}
