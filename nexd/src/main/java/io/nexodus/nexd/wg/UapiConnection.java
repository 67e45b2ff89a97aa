package io.nexodus.nexd.wg;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-platform WireGuard configuration protocol (UAPI, as {@code wg} speaks it) over
 * {@code /var/run/wireguard/<interface>.sock}: {@code set=1} with key=value lines, {@code get=1} for the state. One
 * connection per request, as {@code wg} does. Replies are bounded (a huge reply is an error, never buffered without
 * limit).
 */
final class UapiConnection {
    static final int MAX_REPLY = 16 << 20;

    private final Path socket;

    UapiConnection(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    /** Sends {@code set=1} with {@code lines}; throws with the errno the implementation returned. */
    void set(List<String> lines) throws BackendException {
        StringBuilder sb = new StringBuilder("set=1\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        sb.append('\n');
        List<String> reply = exchange(sb.toString());
        int errno = errno(reply);
        if (errno != 0) {
            throw new BackendException("WireGuard (" + socket + ") rejected the configuration: errno=" + errno);
        }
    }

    /** Sends {@code get=1}; returns the key=value lines (without the errno line). */
    List<String> get() throws BackendException {
        List<String> reply = exchange("get=1\n\n");
        int errno = errno(reply);
        if (errno != 0) {
            throw new BackendException("WireGuard (" + socket + ") answered get with errno=" + errno);
        }
        return reply.stream().filter(l -> !l.startsWith("errno=")).toList();
    }

    private List<String> exchange(String request) throws BackendException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
            StringBuilder sb = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (sb.length() < 2 || !(sb.charAt(sb.length() - 1) == '\n' && sb.charAt(sb.length() - 2) == '\n')) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    break;
                }
                sb.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
                if (sb.length() > MAX_REPLY) {
                    throw new BackendException("UAPI reply from " + socket + " is larger than " + MAX_REPLY + " bytes");
                }
            }
            List<String> lines = new ArrayList<>();
            for (String l : sb.toString().split("\n", -1)) {
                if (!l.isEmpty()) {
                    lines.add(l);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new BackendException("cannot talk to WireGuard at " + socket + ": " + e.getMessage(), e);
        }
    }

    private int errno(List<String> reply) throws BackendException {
        for (String l : reply) {
            if (l.startsWith("errno=")) {
                try {
                    return Integer.parseInt(l.substring(6).strip());
                } catch (NumberFormatException e) {
                    throw new BackendException("bad UAPI reply from " + socket + ": " + l);
                }
            }
        }
        throw new BackendException("UAPI reply from " + socket + " has no errno line");
    }
}
