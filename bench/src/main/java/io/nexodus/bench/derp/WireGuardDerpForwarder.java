package io.nexodus.bench.derp;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.UdpBind;
import io.nexodus.wireguard.bind.UdpEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A benchmark harness, not the agent: carries one WireGuard device's UDP to one peer over a DERP relay, so that
 * {@code bench/scripts/derp-throughput.sh} can measure a WireGuard flow through DERP/TLS. WireGuard's peer endpoint is
 * this program's loopback UDP port; what arrives there goes to the peer's key through the relay, and what the relay
 * delivers from the peer is written to WireGuard's listen port from that same socket (so WireGuard sees it coming from
 * the endpoint it knows). The agent's wireguard-derp proxy (many peers, loopback alias per peer, IP_PKTINFO) is issue
 * 5's agent work; this is the one-peer minimum around the same {@link DerpClient}.
 *
 * <pre>
 * WireGuardDerpForwarder --relay https://relay:443/derp [--dial IP:PORT] [--ca ca.crt] --key WG_PRIVATE_KEY_FILE
 *                        --peer WG_PUBLIC_KEY_BASE64 --listen 127.0.0.1:PORT --wireguard 127.0.0.1:PORT
 * </pre>
 * The DERP node key is the WireGuard private key, as upstream Nexodus does.
 */
public final class WireGuardDerpForwarder {
    private WireGuardDerpForwarder() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        for (String required : new String[] {"--relay", "--key", "--peer", "--listen", "--wireguard"}) {
            if (!a.containsKey(required)) {
                System.err.println("missing " + required + "; see the class comment");
                System.exit(2);
            }
        }
        byte[] raw = Base64.getDecoder()
                .decode(Files.readString(Path.of(a.get("--key"))).strip());
        NodePrivateKey key = NodePrivateKey.fromRaw(raw);
        NodePublicKey peer = NodePublicKey.fromBase64(a.get("--peer"));
        InetSocketAddress listen = hostPort(a.get("--listen"));
        UdpEndpoint wireguard = new UdpEndpoint(hostPort(a.get("--wireguard")));
        // The WireGuard side uses the wireguard module's UDP bind: recvmmsg + GRO in, sendmmsg + GSO out, so a burst
        // WireGuard sends arrives here as one batch and goes to the relay as one sendAll (one TLS record or a few).
        UdpBind udp = new UdpBind(listen.getAddress());
        DerpClientConfig.Builder b = DerpClientConfig.builder(URI.create(a.get("--relay")), key)
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
        if (a.containsKey("--dial")) {
            b.dialAddress(hostPort(a.get("--dial")));
        }
        if (a.containsKey("--ca")) {
            b.sslContext(TrustBundles.trusting(Path.of(a.get("--ca"))));
        }
        if (a.containsKey("--queue")) {
            b.sendQueueDepth(Integer.parseInt(a.get("--queue")));
        }
        // From the relay: the client's reader thread batches packets and writes them to WireGuard at each burst end.
        PacketBatch toWireGuard = new PacketBatch(64, 2048);
        int[] queued = new int[1];
        DerpClient client = DerpClient.start(b.build(), new DerpClientListener() {
            @Override
            public void onPacket(NodePublicKey source, byte[] packet) {
                if (!source.equals(peer) || packet.length > toWireGuard.bufferSize()) {
                    return;
                }
                int i = queued[0]++;
                System.arraycopy(packet, 0, toWireGuard.buffer(i), 0, packet.length);
                toWireGuard.set(i, 0, packet.length, wireguard);
                if (queued[0] == toWireGuard.capacity()) {
                    onPacketsDelivered();
                }
            }

            @Override
            public void onPacketsDelivered() {
                if (queued[0] == 0) {
                    return;
                }
                toWireGuard.count(queued[0]);
                queued[0] = 0;
                try {
                    udp.send(toWireGuard);
                } catch (IOException e) {
                    // WireGuard not there (yet): drop, as a UDP path would
                }
            }
        });
        if (!client.awaitConnected(Duration.ofSeconds(30))) {
            System.err.println("cannot connect to " + a.get("--relay"));
            System.exit(1);
        }
        // From WireGuard: the bind's receive thread hands over whole batches.
        udp.open(listen.getPort(), batch -> {
            List<byte[]> packets = new ArrayList<>(batch.count());
            for (int i = 0; i < batch.count(); i++) {
                if (batch.length(i) > 0) {
                    packets.add(
                            Arrays.copyOfRange(batch.buffer(i), batch.offset(i), batch.offset(i) + batch.length(i)));
                }
            }
            client.sendAll(peer, packets);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping: " + client.stats())));
        System.out.println(
                "forwarding udp " + listen + " <-> " + a.get("--relay") + " peer " + peer + tlsDescription(a));
        System.out.flush();
        Thread.currentThread().join(); // the bind's and the client's threads do the work
    }

    /** The TLS version and cipher suite the relay picks for this JVM's client (one extra handshake), for the report. */
    private static String tlsDescription(Map<String, String> a) {
        URI url = URI.create(a.get("--relay"));
        if (!url.getScheme().equals("https")) {
            return " (plain HTTP)";
        }
        try {
            SSLContext ctx =
                    a.containsKey("--ca") ? TrustBundles.trusting(Path.of(a.get("--ca"))) : SSLContext.getDefault();
            InetSocketAddress at = a.containsKey("--dial")
                    ? hostPort(a.get("--dial"))
                    : new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 443 : url.getPort());
            try (Socket raw = new Socket(at.getAddress(), at.getPort());
                    SSLSocket s =
                            (SSLSocket) ctx.getSocketFactory().createSocket(raw, url.getHost(), at.getPort(), true)) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(url.getHost())));
                p.setApplicationProtocols(new String[] {"http/1.1"});
                s.setSSLParameters(p);
                s.startHandshake();
                return " tls=" + s.getSession().getProtocol() + " cipher="
                        + s.getSession().getCipherSuite();
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return " (TLS details unknown: " + e.getMessage() + ")";
        }
    }

    private static InetSocketAddress hostPort(String s) {
        int c = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, c), Integer.parseInt(s.substring(c + 1)));
    }
}
