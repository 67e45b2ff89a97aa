package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link NatMappingDetector} learned from one socket.
 *
 * @param behaviour the mapping behaviour
 * @param reflexive the reflexive address reported by the first server (in the order asked) that answered
 * @param answers   every server's result, in the order the servers were given
 */
public record NatMapping(
        MappingBehaviour behaviour, Optional<InetSocketAddress> reflexive, List<BindingResult> answers) {
    public NatMapping {
        answers = List.copyOf(answers);
    }

    /** True when the mapping depends on the destination: the agent's {@code symmetric_nat}. */
    public boolean symmetric() {
        return behaviour == MappingBehaviour.ENDPOINT_DEPENDENT;
    }

    /**
     * Classifies answers: the reflexive address is the first success; the addresses of all successes of that address
     * family are compared (an IPv6 answer says nothing about an IPv4 mapping).
     */
    static NatMapping of(List<BindingResult> answers) {
        Optional<InetSocketAddress> first =
                answers.stream().flatMap(a -> a.mappedAddress().stream()).findFirst();
        if (first.isEmpty()) {
            return new NatMapping(MappingBehaviour.UNKNOWN, first, answers);
        }
        Class<?> family = first.get().getAddress().getClass();
        List<InetSocketAddress> comparable = answers.stream()
                .flatMap(a -> a.mappedAddress().stream())
                .filter(a -> a.getAddress().getClass() == family)
                .toList();
        MappingBehaviour behaviour = comparable.size() < 2
                ? MappingBehaviour.UNKNOWN
                : comparable.stream().allMatch(first.get()::equals)
                        ? MappingBehaviour.ENDPOINT_INDEPENDENT
                        : MappingBehaviour.ENDPOINT_DEPENDENT;
        return new NatMapping(behaviour, first, answers);
    }
}
