package io.nexodus.nexd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.nexdctl.ProxyDirection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Upstream's rule form {@code protocol:port:destination_ip:destination_port}, and the errors people see. */
class ProxyRuleTest {
    @Test
    void parsesTcpAndUdpIpv4AndIpv6() {
        ProxyRule r = ProxyRule.parse(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:8080");
        assertThat(r.protocol()).isEqualTo(ProxyRule.Protocol.TCP);
        assertThat(r.port()).isEqualTo(80);
        assertThat(r.destination()).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 8080));
        assertThat(r.text()).isEqualTo("tcp:80:127.0.0.1:8080");
        assertThat(r.flagForm()).isEqualTo("--ingress tcp:80:127.0.0.1:8080");

        ProxyRule u = ProxyRule.parse(ProxyDirection.EGRESS, " UDP:53:100.64.0.9:5353 ");
        assertThat(u.protocol()).isEqualTo(ProxyRule.Protocol.UDP);
        assertThat(u.text()).isEqualTo("udp:53:100.64.0.9:5353");
        assertThat(u.flagForm()).isEqualTo("--egress udp:53:100.64.0.9:5353");

        ProxyRule v6 = ProxyRule.parse(ProxyDirection.EGRESS, "tcp:443:fd00:0:0::5:8443");
        assertThat(v6.destination().getAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:5");
        assertThat(v6.destination().getPort()).isEqualTo(8443);
        assertThat(v6.text()).isEqualTo("tcp:443:fd00::5:8443");
        assertThat(ProxyRule.parse(ProxyDirection.EGRESS, "tcp:443:[fd00::5]:8443"))
                .isEqualTo(v6);
        // the text parses back to the same rule
        assertThat(ProxyRule.parse(ProxyDirection.EGRESS, v6.text())).isEqualTo(v6);
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.INGRESS, "tcp:80:127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ingress rule tcp:80:127.0.0.1: expected protocol:port:destination_ip:destination_port"
                        + " (e.g. tcp:8080:127.0.0.1:80)");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.INGRESS, ""))
                .hasMessageContaining("empty ingress rule");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.INGRESS, "sctp:80:127.0.0.1:80"))
                .hasMessageContaining("protocol must be tcp or udp, not 'sctp'");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:0:127.0.0.1:80"))
                .hasMessageContaining("port 0 is outside 1..65535");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:http:127.0.0.1:80"))
                .hasMessageContaining("port 'http' is not a number in 1..65535");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:80:127.0.0.1:65536"))
                .hasMessageContaining("destination port 65536 is outside 1..65535");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:80:db.example.com:5432"))
                .hasMessageContaining("destination 'db.example.com' is not an IP address");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:80:300.1.1.1:5432"))
                .hasMessageContaining("destination '300.1.1.1' is not an IP address");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "tcp:80:0.0.0.0:5432"))
                .hasMessageContaining("is not a unicast address");
        assertThatThrownBy(() -> ProxyRule.parse(ProxyDirection.EGRESS, "udp:80:224.0.0.1:5432"))
                .hasMessageContaining("is not a unicast address");
    }

    @Test
    void rulesOnTheSameListenerClash() {
        ProxyRule a = ProxyRule.parse(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:8080");
        assertThat(a.sameListener(ProxyRule.parse(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:9090")))
                .isTrue();
        assertThat(a.sameListener(ProxyRule.parse(ProxyDirection.INGRESS, "udp:80:127.0.0.1:8080")))
                .isFalse();
        assertThat(a.sameListener(ProxyRule.parse(ProxyDirection.EGRESS, "tcp:80:100.64.0.2:80")))
                .isFalse();
    }
}
