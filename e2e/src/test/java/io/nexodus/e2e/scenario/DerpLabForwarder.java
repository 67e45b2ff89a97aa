package io.nexodus.e2e.scenario;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * A lab process (not the agent): carries one WireGuard device's UDP to one peer over a DERP relay, so that a real
 * WireGuard tunnel (wireguard-go) runs through real relay processes. WireGuard's peer endpoint is this program's
 * loopback UDP port; what arrives there goes to the peer's key through the relay, and what the relay delivers from
 * the peer is written to WireGuard from that same socket. The DERP node key is the WireGuard private key, as
 * upstream Nexodus does. (bench's {@code WireGuardDerpForwarder} is the batched, measured variant of the same idea.)
 *
 * <pre>DerpLabForwarder RELAY_URL CA_FILE WG_PRIVATE_KEY_FILE PEER_PUBLIC_KEY_BASE64 LISTEN_PORT WIREGUARD_PORT</pre>
 */
public final class DerpLabForwarder {
    private DerpLabForwarder() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: DerpLabForwarder RELAY_URL CA_FILE KEY_FILE PEER_BASE64 LISTEN_PORT WG_PORT");
            System.exit(2);
        }
        NodePrivateKey key = NodePrivateKey.fromRaw(
                Base64.getDecoder().decode(Files.readString(Path.of(args[2])).strip()));
        NodePublicKey peer = NodePublicKey.fromBase64(args[3]);
        InetSocketAddress wireguard =
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), Integer.parseInt(args[5]));
        DatagramSocket udp = new DatagramSocket(
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), Integer.parseInt(args[4])));
        DerpClientConfig config = DerpClientConfig.builder(URI.create(args[0]), key)
                .sslContext(TrustBundles.trusting(Path.of(args[1])))
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
                .build();
        DerpClient client = DerpClient.start(config, new DerpClientListener() {
            @Override
            public void onPacket(NodePublicKey source, byte[] packet) {
                if (!source.equals(peer)) {
                    return;
                }
                try {
                    udp.send(new DatagramPacket(packet, packet.length, wireguard));
                } catch (IOException e) {
                    // WireGuard not there (yet): drop, as a UDP path would
                }
            }
        });
        if (!client.awaitConnected(Duration.ofSeconds(30))) {
            System.err.println("cannot connect to " + args[0]);
            System.exit(1);
        }
        System.out.println("forwarding udp " + udp.getLocalSocketAddress() + " <-> " + args[0] + " peer " + peer);
        System.out.flush();
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (true) {
            p.setLength(buf.length);
            udp.receive(p);
            client.send(peer, Arrays.copyOf(buf, p.getLength()));
        }
    }
}
