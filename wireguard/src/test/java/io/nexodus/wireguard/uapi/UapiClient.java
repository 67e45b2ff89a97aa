package io.nexodus.wireguard.uapi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A raw UAPI client for tests: sends one request, reads until the blank line that ends the reply. */
public final class UapiClient {
    private UapiClient() {}

    public static String request(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            StringBuilder sb = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (!sb.toString().endsWith("\n\n")) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    break;
                }
                sb.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
            return sb.toString();
        }
    }
}
