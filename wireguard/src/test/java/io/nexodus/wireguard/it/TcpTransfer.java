package io.nexodus.wireguard.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code bytes} of pseudo-random data over one TCP connection from a socket created in namespace {@code from}
 * to a server created in namespace {@code to}, and returns the SHA-256 both ends computed; they must match.
 */
public final class TcpTransfer {
    public record Result(String sentSha256, String receivedSha256, long bytes, long millis) {}

    private TcpTransfer() {}

    public static Result run(
            String fromNetns, String toNetns, InetAddress serverAddress, long bytes, long timeoutSeconds)
            throws Exception {
        ServerSocketChannel server = InNetns.call(toNetns, () -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(serverAddress, 0));
            return s;
        });
        SocketChannel client = InNetns.call(fromNetns, SocketChannel::open);
        try (server;
                client) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            CompletableFuture<String> received = CompletableFuture.supplyAsync(
                    () -> {
                        try (SocketChannel c = server.accept()) {
                            MessageDigest md = MessageDigest.getInstance("SHA-256");
                            ByteBuffer buf = ByteBuffer.allocate(65536);
                            long total = 0;
                            while (true) {
                                buf.clear();
                                int n = c.read(buf);
                                if (n < 0) {
                                    break;
                                }
                                md.update(buf.array(), 0, n);
                                total += n;
                            }
                            return HexFormat.of().formatHex(md.digest()) + "/" + total;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    r -> Thread.ofVirtual().start(r));
            long start = System.nanoTime();
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            client.connect(new InetSocketAddress(serverAddress, port));
                            MessageDigest md = MessageDigest.getInstance("SHA-256");
                            Random rnd = new Random(bytes);
                            byte[] chunk = new byte[65536];
                            long left = bytes;
                            while (left > 0) {
                                rnd.nextBytes(chunk);
                                int n = (int) Math.min(chunk.length, left);
                                md.update(chunk, 0, n);
                                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                                while (b.hasRemaining()) {
                                    client.write(b);
                                }
                                left -= n;
                            }
                            client.shutdownOutput();
                            return HexFormat.of().formatHex(md.digest());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    r -> Thread.ofVirtual().start(r));
            // On timeout the channels close (try-with-resources), which unblocks both sides.
            String sentHash = sent.get(timeoutSeconds, TimeUnit.SECONDS);
            String got = received.get(timeoutSeconds, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            String[] parts = got.split("/", -1);
            return new Result(sentHash, parts[0], Long.parseLong(parts[1]), ms);
        } catch (IOException e) {
            throw new IOException("TCP transfer " + fromNetns + " -> " + toNetns + " " + serverAddress + " failed", e);
        }
    }
}
