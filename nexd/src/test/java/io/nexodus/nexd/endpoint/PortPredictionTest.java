package io.nexodus.nexd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortPredictionTest {
    private static InetSocketAddress a(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void closeAnswersFromOneAddressArePredictedInEitherOrder() throws Exception {
        // the two STUN queries leave at once, so either may take the lower port
        PortPrediction p = PortPrediction.from(a("198.51.100.22", 40001), a("198.51.100.22", 40000))
                .orElseThrow();
        assertThat(p.lastPort()).isEqualTo(40001);
        assertThat(p.spread()).isEqualTo(1);
        assertThat(p.window(3))
                .containsExactly(a("198.51.100.22", 40002), a("198.51.100.22", 40003), a("198.51.100.22", 40004));
        assertThat(p.describe(32)).isEqualTo("198.51.100.22:40002-40033");
        // another flow of the NAT came between the two queries
        assertThat(PortPrediction.from(a("198.51.100.22", 40000), a("198.51.100.22", 40003)))
                .map(PortPrediction::spread)
                .contains(3);
    }

    @Test
    void randomPortsOneMappingOrTwoAddressesPredictNothing() throws Exception {
        assertThat(PortPrediction.from(a("198.51.100.21", 1111), a("198.51.100.21", 52222)))
                .isEmpty();
        assertThat(PortPrediction.from(a("198.51.100.21", 40000), a("198.51.100.21", 40000 + 9)))
                .isEmpty();
        assertThat(PortPrediction.from(a("198.51.100.11", 4000), a("198.51.100.11", 4000)))
                .isEmpty();
        assertThat(PortPrediction.from(a("198.51.100.21", 4000), a("198.51.100.22", 4001)))
                .isEmpty();
        assertThat(PortPrediction.from(a("198.51.100.21", 4000), null)).isEmpty();
    }

    @Test
    void theWindowStopsAtTheLastPort() throws Exception {
        PortPrediction p = PortPrediction.from(a("198.51.100.22", 65533), a("198.51.100.22", 65532))
                .orElseThrow();
        assertThat(p.window(32)).containsExactly(a("198.51.100.22", 65534), a("198.51.100.22", 65535));
    }

    @Test
    void aSymmetricObservationPublishesItsSecondAnswerAndPredictsWhenTheyAreClose() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress s2 = a("203.0.113.10", 3479);
        Map<InetSocketAddress, InetSocketAddress> seqAnswers =
                Map.of(s1, a("198.51.100.22", 40007), s2, a("198.51.100.22", 40008));
        ReflexiveProbe sequential = server -> StunAnswer.of(server, seqAnswers.get(server));
        NatObservation o = new NatDiscovery(sequential, List.of(s1, s2)).observe();
        assertThat(o.symmetricNat()).isTrue();
        assertThat(o.secondAnswer().flatMap(StunAnswer::reflexive)).contains(a("198.51.100.22", 40008));
        assertThat(o.portPrediction().map(PortPrediction::lastPort)).contains(40008);
        assertThat(o.describe()).contains("ports come in turn, next after 40008");

        Map<InetSocketAddress, InetSocketAddress> randomAnswers =
                Map.of(s1, a("198.51.100.21", 1111), s2, a("198.51.100.21", 52222));
        ReflexiveProbe random = server -> StunAnswer.of(server, randomAnswers.get(server));
        NatObservation r = new NatDiscovery(random, List.of(s1, s2)).observe();
        assertThat(r.secondAnswer()).isPresent();
        assertThat(r.portPrediction()).isEmpty();

        InetSocketAddress easyAnswer = a("198.51.100.11", 4000);
        ReflexiveProbe easy = server -> StunAnswer.of(server, easyAnswer);
        NatObservation e = new NatDiscovery(easy, List.of(s1, s2)).observe();
        assertThat(e.secondAnswer()).as("one mapping: nothing more to publish").isEmpty();

        // a second answer that moved is news for the service even if the first did not
        NatObservation moved = new NatObservation(
                o.reflexive(),
                o.stunServer(),
                true,
                List.of(StunAnswer.of(s1, a("198.51.100.22", 40007)), StunAnswer.of(s2, a("198.51.100.22", 40011))));
        assertThat(o.sameMapping(moved)).isFalse();
        assertThat(o.sameMapping(o)).isTrue();
    }
}
