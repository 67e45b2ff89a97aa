package io.nexodus.nexd.endpoint;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What STUN told us about our NAT.
 *
 * @param reflexive    our reflexive address (the first answer); empty when no server answered
 * @param stunServer   the server that gave {@code reflexive}, as {@code host:port} (endpoint source {@code stun:<it>})
 * @param symmetricNat two servers saw different addresses (a new mapping per destination), or none answered, so
 *                     peers cannot reach us at a reflexive address
 * @param answers      every answer, for logs
 */
public record NatObservation(
        Optional<InetSocketAddress> reflexive, String stunServer, boolean symmetricNat, List<StunAnswer> answers) {
    public NatObservation {
        answers = List.copyOf(answers);
    }

    /** No server answered (UDP blocked, or STUN unreachable). */
    public boolean stunFailed() {
        return reflexive.isEmpty();
    }

    /** Same reflexive address (and second answer, behind a symmetric NAT) and the same verdict: nothing to tell. */
    public boolean sameMapping(NatObservation other) {
        return other != null
                && reflexive.equals(other.reflexive)
                && symmetricNat == other.symmetricNat
                && secondAnswer()
                        .flatMap(StunAnswer::reflexive)
                        .equals(other.secondAnswer().flatMap(StunAnswer::reflexive));
    }

    /**
     * Behind a symmetric NAT: the answer of the second server (another mapping than {@link #reflexive}), published
     * next to the first so that peers can tell a NAT that hands out ports in turn ({@link #portPrediction()}).
     * Empty when not symmetric or fewer than two servers answered.
     */
    public Optional<StunAnswer> secondAnswer() {
        if (!symmetricNat) {
            return Optional.empty();
        }
        return answers.stream().filter(StunAnswer::answered).skip(1).findFirst();
    }

    /** Our NAT hands out ports in turn (its two answers lie close together): where its next mappings will be. */
    public Optional<PortPrediction> portPrediction() {
        return reflexive.flatMap(first ->
                secondAnswer().flatMap(StunAnswer::reflexive).flatMap(second -> PortPrediction.from(first, second)));
    }

    public String describe() {
        if (reflexive.isEmpty()) {
            return "no STUN answer ("
                    + String.join(
                            "; ",
                            answers.stream()
                                    .map(a -> a.server() + ": " + a.problem().orElse("?"))
                                    .toList()) + ")";
        }
        return "reflexive " + Addresses.format(reflexive.get()) + " via " + stunServer
                + (symmetricNat
                        ? ", symmetric NAT (servers saw different mappings: "
                                + String.join(
                                        ", ",
                                        answers.stream()
                                                .filter(StunAnswer::answered)
                                                .map(a -> Addresses.format(
                                                        a.reflexive().orElseThrow()))
                                                .toList())
                                + ")"
                                + portPrediction()
                                        .map(pp -> "; its ports come in turn, next after " + pp.lastPort())
                                        .orElse("")
                        : "");
    }
}
