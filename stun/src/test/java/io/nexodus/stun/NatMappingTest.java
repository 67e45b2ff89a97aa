package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatMappingTest {
    private static InetSocketAddress a(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final InetSocketAddress S1 = a("203.0.113.1", 3478);
    private static final InetSocketAddress S2 = a("203.0.113.1", 3479);

    private static BindingResult ok(InetSocketAddress server, InetSocketAddress mapped) {
        return new BindingResult.Success(server, mapped, 1, Duration.ofMillis(1));
    }

    @Test
    void sameMappingIsEndpointIndependent() {
        NatMapping m = NatMapping.of(List.of(ok(S1, a("198.51.100.2", 40000)), ok(S2, a("198.51.100.2", 40000))));
        assertThat(m.behaviour()).isEqualTo(MappingBehaviour.ENDPOINT_INDEPENDENT);
        assertThat(m.symmetric()).isFalse();
        assertThat(m.reflexive()).contains(a("198.51.100.2", 40000));
        assertThat(m.answers()).hasSize(2);
    }

    @Test
    void differentMappingIsSymmetric() {
        NatMapping m = NatMapping.of(List.of(ok(S1, a("198.51.100.2", 40000)), ok(S2, a("198.51.100.2", 40001))));
        assertThat(m.behaviour()).isEqualTo(MappingBehaviour.ENDPOINT_DEPENDENT);
        assertThat(m.symmetric()).isTrue();
        assertThat(m.reflexive()).contains(a("198.51.100.2", 40000));
    }

    @Test
    void oneAnswerIsNotEnough() {
        NatMapping m = NatMapping.of(
                List.of(new BindingResult.Timeout(S1, 4, Duration.ofSeconds(5)), ok(S2, a("198.51.100.2", 40000))));
        assertThat(m.behaviour()).isEqualTo(MappingBehaviour.UNKNOWN);
        assertThat(m.symmetric()).isFalse();
        assertThat(m.reflexive()).contains(a("198.51.100.2", 40000));
        assertThat(NatMapping.of(List.of(new BindingResult.Failure(S1, "x"))).reflexive())
                .isEmpty();
    }

    @Test
    void answersOfAnotherFamilyAreNotCompared() {
        NatMapping m = NatMapping.of(
                List.of(ok(S1, a("198.51.100.2", 40000)), ok(a("2001:db8::1", 3478), a("2001:db8::99", 40000))));
        assertThat(m.behaviour()).isEqualTo(MappingBehaviour.UNKNOWN);
    }
}
