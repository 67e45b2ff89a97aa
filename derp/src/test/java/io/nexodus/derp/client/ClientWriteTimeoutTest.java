package io.nexodus.derp.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameCodec;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.testing.Events;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A server that completes the handshake and then stops reading: the client notices the stuck write and reconnects. */
class ClientWriteTimeoutTest {
    @Test
    void aStuckWriteEndsTheConnection() throws Exception {
        NodePrivateKey serverKey = NodePrivateKey.generate();
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReceiveBufferSize(4096);
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = ss.accept()) {
                    FrameReader in = new FrameReader(s.getInputStream());
                    while (!in.readLine(8192).isEmpty()) {
                        // request head
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n"
                                    + "Derp-Version: 2\r\nDerp-Public-Key: "
                                    + serverKey.publicKey().toHex() + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(FrameCodec.encode(new Frame.ServerKey(serverKey.publicKey())));
                    Frame.ClientInfoFrame ci = (Frame.ClientInfoFrame) in.readFrame(FrameLimits.SERVER);
                    out.write(FrameCodec.encode(new Frame.ServerInfoFrame(NaclBox.sealTo(
                            serverKey,
                            ci.clientKey(),
                            "{\"version\":2}".getBytes(StandardCharsets.UTF_8),
                            new SecureRandom()))));
                    out.flush();
                    Thread.sleep(30_000); // and never read again
                } catch (Exception e) {
                    // test over
                }
            });
            Events events = new Events();
            try (DerpClient c = DerpClient.start(
                    DerpClientConfig.builder(
                                    URI.create("http://127.0.0.1:" + ss.getLocalPort()), NodePrivateKey.generate())
                            .writeTimeout(Duration.ofMillis(500))
                            .backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
                            .build(),
                    events)) {
                assertThat(c.awaitConnected(Duration.ofSeconds(10))).isTrue();
                byte[] chunk = new byte[60_000];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (c.stats().writeTimeouts() == 0 && System.nanoTime() < deadline) {
                    c.send(serverKey.publicKey(), chunk);
                    Thread.sleep(1);
                }
                assertThat(c.stats().writeTimeouts()).isEqualTo(1);
                assertThat(events.disconnected.poll(10, TimeUnit.SECONDS)).isNotNull();
                assertThat(c.isConnected()).isFalse();
            } finally {
                server.interrupt();
            }
        }
    }
}
