package io.nexodus.nexd.wg;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UapiLinesTest {
    private final NodePublicKey a = NodePrivateKey.generate().publicKey();
    private final NodePublicKey b = NodePrivateKey.generate().publicKey();

    @Test
    void changesBecomeUapiSetLines() throws Exception {
        PeerEntry e = new PeerEntry(
                a.toBase64(),
                Optional.of(new InetSocketAddress(InetAddress.getByName("198.51.100.12"), 5000)),
                List.of("100.64.0.2/32", "200::2/128"),
                20);
        List<String> lines = UapiLines.forChanges(
                List.of(new PeerChange.Upsert(e, true, false), new PeerChange.Remove(b.toBase64())));
        assertThat(lines)
                .containsExactly(
                        "public_key=" + a.toHex(),
                        "endpoint=198.51.100.12:5000",
                        "persistent_keepalive_interval=20",
                        "replace_allowed_ips=true",
                        "allowed_ip=100.64.0.2/32",
                        "allowed_ip=200::2/128",
                        "public_key=" + b.toHex(),
                        "remove=true");
        List<String> keep = UapiLines.forChanges(List.of(new PeerChange.Upsert(e, false, false)));
        assertThat(keep).noneMatch(l -> l.startsWith("endpoint="));
        List<String> nudge = UapiLines.forChanges(List.of(new PeerChange.Upsert(e, true, false, true)));
        assertThat(nudge)
                .startsWith(
                        "public_key=" + a.toHex(),
                        "update_only=true",
                        "persistent_keepalive_interval=0",
                        "public_key=" + a.toHex(),
                        "endpoint=198.51.100.12:5000",
                        "persistent_keepalive_interval=20");
        List<String> recreate = UapiLines.forChanges(List.of(new PeerChange.Upsert(e, false, true)));
        assertThat(recreate)
                .startsWith(
                        "public_key=" + a.toHex(),
                        "remove=true",
                        "public_key=" + a.toHex(),
                        "endpoint=198.51.100.12:5000");
    }

    @Test
    void getRepliesParseIntoCounters() {
        Map<String, PeerCounters> peers = UapiLines.parsePeers(List.of(
                "private_key=00",
                "listen_port=51820",
                "public_key=" + a.toHex(),
                "endpoint=198.51.100.12:5000",
                "last_handshake_time_sec=1767000000",
                "last_handshake_time_nsec=5",
                "rx_bytes=100",
                "tx_bytes=200",
                "allowed_ip=100.64.0.2/32",
                "public_key=" + b.toHex(),
                "last_handshake_time_sec=0",
                "last_handshake_time_nsec=0",
                "rx_bytes=x"));
        assertThat(peers).containsOnlyKeys(a.toBase64(), b.toBase64());
        PeerCounters pa = peers.get(a.toBase64());
        assertThat(pa.endpoint()).isEqualTo("198.51.100.12:5000");
        assertThat(pa.lastHandshake()).isEqualTo(Instant.ofEpochSecond(1767000000, 5));
        assertThat(pa.rxBytes()).isEqualTo(100);
        assertThat(pa.txBytes()).isEqualTo(200);
        assertThat(pa.allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(peers.get(b.toBase64()).lastHandshake()).isNull();
    }
}
