package io.nexodus.nexd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class NatDiscoveryTest {
    private static InetSocketAddress a(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static ReflexiveProbe answering(
            Map<InetSocketAddress, InetSocketAddress> answers, Map<InetSocketAddress, Integer> asked) {
        return server -> {
            asked.merge(server, 1, Integer::sum);
            InetSocketAddress r = answers.get(server);
            return r == null ? StunAnswer.failed(server, "timeout") : StunAnswer.of(server, r);
        };
    }

    @Test
    void twoEqualAnswersMeanAnEndpointIndependentMapping() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress s2 = a("203.0.113.10", 3479);
        InetSocketAddress me = a("198.51.100.11", 40000);
        NatObservation o = new NatDiscovery(
                        answering(Map.of(s1, me, s2, me), new ConcurrentHashMap<>()), List.of(s1, s2))
                .observe();
        assertThat(o.reflexive()).contains(me);
        assertThat(o.symmetricNat()).isFalse();
        assertThat(o.stunServer()).isEqualTo("203.0.113.10:3478");
        assertThat(o.describe()).contains("198.51.100.11:40000");
    }

    @Test
    void differentAnswersMeanSymmetricNat() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress s2 = a("203.0.113.10", 3479);
        NatObservation o = new NatDiscovery(
                        answering(
                                Map.of(s1, a("198.51.100.21", 1111), s2, a("198.51.100.21", 2222)),
                                new ConcurrentHashMap<>()),
                        List.of(s1, s2))
                .observe();
        assertThat(o.symmetricNat()).isTrue();
        assertThat(o.reflexive()).contains(a("198.51.100.21", 1111));
        assertThat(o.describe()).contains("symmetric");
    }

    @Test
    void aSilentServerIsReplacedByTheNextOne() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress dead = a("203.0.113.11", 3478);
        InetSocketAddress s3 = a("203.0.113.12", 3478);
        InetSocketAddress me = a("198.51.100.11", 40000);
        Map<InetSocketAddress, Integer> asked = new ConcurrentHashMap<>();
        NatObservation o = new NatDiscovery(answering(Map.of(s1, me, s3, me), asked), List.of(s1, dead, s3)).observe();
        assertThat(o.symmetricNat()).isFalse();
        assertThat(asked).containsOnlyKeys(s1, dead, s3);
        assertThat(o.answers()).hasSize(3);
    }

    @Test
    void noAnswerAtAllMeansUnreachableForPeers() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress s2 = a("203.0.113.10", 3479);
        NatObservation o = new NatDiscovery(answering(Map.of(), new ConcurrentHashMap<>()), List.of(s1, s2)).observe();
        assertThat(o.stunFailed()).isTrue();
        assertThat(o.symmetricNat()).isTrue();
        assertThat(o.describe()).contains("no STUN answer", "timeout");
    }

    @Test
    void oneAnswerIsUsedWithoutAVerdictOfSymmetry() throws Exception {
        InetSocketAddress s1 = a("203.0.113.10", 3478);
        InetSocketAddress s2 = a("203.0.113.10", 3479);
        InetSocketAddress me = a("203.0.113.40", 5000);
        NatObservation o =
                new NatDiscovery(answering(Map.of(s2, me), new ConcurrentHashMap<>()), List.of(s1, s2)).observe();
        assertThat(o.reflexive()).contains(me);
        assertThat(o.symmetricNat()).isFalse();
        assertThat(o.sameMapping(o)).isTrue();
    }
}
