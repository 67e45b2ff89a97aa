package io.nexodus.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.device.ConfigException;
import io.nexodus.wireguard.device.DeviceStatus;
import io.nexodus.wireguard.device.DeviceUpdate;
import io.nexodus.wireguard.device.IpPrefix;
import io.nexodus.wireguard.device.PeerStats;
import io.nexodus.wireguard.device.PeerUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UapiProtocolTest {
    private static final String PRIV = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a";
    private static final String PUB1 = "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33";
    private static final String PUB2 = "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376";
    private static final String PSK = "188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52";

    /** The request `wg setconf` sends for a two-peer file (from the xplatform page's example). */
    @Test
    void parsesWhatWgSetconfSends() throws Exception {
        DeviceUpdate u = UapiProtocol.parseSet(List.of(
                "private_key=" + PRIV,
                "listen_port=12912",
                "fwmark=0",
                "replace_peers=true",
                "public_key=" + PUB1,
                "preshared_key=" + PSK,
                "replace_allowed_ips=true",
                "allowed_ip=192.168.4.4/32",
                "endpoint=[abcd:23::33%2]:51820",
                "public_key=" + PUB2,
                "replace_allowed_ips=true",
                "allowed_ip=192.168.4.6/32",
                "persistent_keepalive_interval=111",
                "endpoint=182.122.22.19:3233",
                "protocol_version=1"));
        assertThat(u.privateKey().toHex()).isEqualTo(PRIV);
        assertThat(u.listenPort()).isEqualTo(12912);
        assertThat(u.fwmark()).isZero();
        assertThat(u.replacePeers()).isTrue();
        assertThat(u.peers()).hasSize(2);
        PeerUpdate p1 = u.peers().get(0);
        assertThat(p1.publicKey().toHex()).isEqualTo(PUB1);
        assertThat(p1.presharedKey().toHex()).isEqualTo(PSK);
        assertThat(p1.replaceAllowedIps()).isTrue();
        assertThat(p1.addAllowedIps()).containsExactly(IpPrefix.parse("192.168.4.4/32"));
        assertThat(((UdpEndpoint) p1.endpoint()).port()).isEqualTo(51820);
        PeerUpdate p2 = u.peers().get(1);
        assertThat(p2.persistentKeepalive()).isEqualTo(111);
        assertThat(p2.endpoint().uapiString()).isEqualTo("182.122.22.19:3233");
    }

    @Test
    void removalAndOrderOfAllowedIpLinesAreKept() throws Exception {
        DeviceUpdate u = UapiProtocol.parseSet(List.of(
                "public_key=" + PUB1,
                "remove=true",
                "public_key=" + PUB2,
                "allowed_ip=10.0.0.0/8",
                "allowed_ip=-10.0.0.0/8",
                "allowed_ip=-fd00::/8",
                "allowed_ip=fd00::/8",
                "update_only=true"));
        assertThat(u.peers().get(0).remove()).isTrue();
        PeerUpdate p2 = u.peers().get(1);
        assertThat(p2.updateOnly()).isTrue();
        assertThat(p2.addAllowedIps()).containsExactly(IpPrefix.parse("fd00::/8"));
        assertThat(p2.removeAllowedIps()).containsExactly(IpPrefix.parse("10.0.0.0/8"));
    }

    @Test
    void badRequestsGiveTheErrnoWireguardGoGives() {
        record Case(List<String> lines, int errno) {}
        for (Case c : List.of(
                new Case(List.of("bogus_key=1"), ConfigException.EINVAL),
                new Case(List.of("no equals sign"), ConfigException.EPROTO),
                new Case(List.of("private_key=zz"), ConfigException.EINVAL),
                new Case(List.of("listen_port=65536"), ConfigException.EINVAL),
                new Case(List.of("listen_port=-1"), ConfigException.EINVAL),
                new Case(List.of("fwmark=4294967296"), ConfigException.EINVAL),
                new Case(List.of("replace_peers=false"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "protocol_version=2"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "endpoint=example.com:1"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "endpoint=1.2.3.4"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "allowed_ip=1.2.3.4/40"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "persistent_keepalive_interval=x"), ConfigException.EINVAL),
                new Case(List.of("public_key=" + PUB1, "listen_port=1"), ConfigException.EINVAL))) {
            assertThatThrownBy(() -> UapiProtocol.parseSet(c.lines()))
                    .as("%s", c.lines())
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.errno()).isEqualTo(c.errno()));
        }
    }

    @Test
    void formatsGetLikeWireguardGo() {
        NodePublicKey pub = NodePublicKey.fromHex(PUB1);
        DeviceStatus s = new DeviceStatus(
                NodePrivateKey.fromHex(PRIV),
                51820,
                51820,
                List.of(new PeerStats(
                        pub,
                        null,
                        UdpEndpoint.parse("[::ffff:10.1.2.3]:7"),
                        Instant.ofEpochSecond(1700000000, 5),
                        10,
                        20,
                        List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64")),
                        25)));
        assertThat(UapiProtocol.formatGet(s)).isEqualTo("""
                private_key=%s
                listen_port=51820
                fwmark=51820
                public_key=%s
                preshared_key=0000000000000000000000000000000000000000000000000000000000000000
                protocol_version=1
                endpoint=10.1.2.3:7
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=5
                tx_bytes=20
                rx_bytes=10
                persistent_keepalive_interval=25
                allowed_ip=10.0.0.0/24
                allowed_ip=fd00::/64
                """.formatted(PRIV, PUB1));
    }

    /** Random and mutated request lines: parsing either succeeds or fails with a ConfigException, nothing else. */
    @Test
    void fuzzedSetRequestsOnlyEverFailCleanly() {
        Random r = new Random(3);
        List<String> seeds = List.of(
                "private_key=" + PRIV,
                "listen_port=12912",
                "fwmark=7",
                "replace_peers=true",
                "public_key=" + PUB1,
                "preshared_key=" + PSK,
                "endpoint=[fe80::1%3]:1",
                "endpoint=1.2.3.4:5",
                "allowed_ip=10.0.0.0/8",
                "allowed_ip=-::/0",
                "persistent_keepalive_interval=25",
                "remove=true",
                "update_only=true",
                "replace_allowed_ips=true",
                "protocol_version=1");
        for (int i = 0; i < 20000; i++) {
            ArrayList<String> lines = new ArrayList<>();
            int n = r.nextInt(8);
            for (int k = 0; k < n; k++) {
                StringBuilder l = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
                int muts = r.nextInt(3);
                for (int m = 0; m < muts && l.length() > 0; m++) {
                    int pos = r.nextInt(l.length());
                    switch (r.nextInt(3)) {
                        case 0 -> l.setCharAt(pos, (char) (32 + r.nextInt(95)));
                        case 1 -> l.deleteCharAt(pos);
                        default -> l.insert(pos, (char) r.nextInt(256));
                    }
                }
                lines.add(l.toString());
            }
            try {
                UapiProtocol.parseSet(lines);
            } catch (ConfigException e) {
                assertThat(e.errno()).isIn(ConfigException.EINVAL, ConfigException.EPROTO);
            }
        }
    }
}
