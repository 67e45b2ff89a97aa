package io.nexodus.wireguard.uapi;

import io.nexodus.wireguard.device.ConfigException;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.DeviceUpdate;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves UAPI on {@code /var/run/wireguard/<interface>.sock}, the path compiled into {@code wg}, so that
 * {@code wg show}, {@code wg set}, {@code wg setconf}, {@code wg syncconf} and {@code wg showconf} work on the device
 * unchanged. One virtual thread accepts, one per connection serves (several operations in sequence, as wireguard-go
 * does). The socket is mode 0700 (only root may configure the interface). It is removed when the device closes; if
 * someone deletes the socket file, the device shuts down, as wireguard-go does.
 */
public final class UapiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UapiServer.class);
    /** Where {@code wg} looks for userspace interfaces (Debian's wg has /var/run/wireguard compiled in). */
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/run/wireguard");

    static final int MAX_LINE = 4096;
    static final int MAX_LINES = 1_000_000;

    private final Device device;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private volatile boolean closed;

    private UapiServer(Device device, Path socketPath, ServerSocketChannel server, Object fileKey) {
        this.device = device;
        this.socketPath = socketPath;
        this.server = server;
        this.fileKey = fileKey;
    }

    /** Serves {@code device} on {@code /var/run/wireguard/<name>.sock}. */
    public static UapiServer start(Device device) throws IOException {
        return start(device, DEFAULT_DIRECTORY.resolve(device.name() + ".sock"));
    }

    /** Serves {@code device} on {@code socketPath}; fails if a live socket is already there. */
    public static UapiServer start(Device device, Path socketPath) throws IOException {
        Objects.requireNonNull(device);
        Path dir = socketPath.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
            if (isLive(socketPath)) {
                throw new FileAlreadyExistsException(
                        socketPath.toString(), null, "another process serves this interface");
            }
            Files.deleteIfExists(socketPath); // stale, from a process that died
        }
        // Bind inside a private directory, restrict the socket, then rename it into place, so the socket never
        // exists at the public path with loose permissions (Java cannot set the umask).
        Path tmpDir = Files.createTempDirectory(
                dir,
                "." + socketPath.getFileName() + ".",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = tmpDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, socketPath, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(tmpDir);
        }
        Object key = Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
        UapiServer s = new UapiServer(device, socketPath, server, key);
        device.onClose(s::close);
        Thread.ofVirtual().name("uapi-accept-" + device.name()).start(s::acceptLoop);
        Thread.ofVirtual().name("uapi-watch-" + device.name()).start(s::watchLoop);
        log.info("{}: UAPI listening on {}", device.name(), socketPath);
        return s;
    }

    private static boolean isLive(Path p) {
        try (SocketChannel _ = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path socketPath() {
        return socketPath;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: UAPI accept failed", device.name(), e);
                }
                return;
            }
            Thread.ofVirtual().name("uapi-conn-" + device.name()).start(() -> serve(c));
        }
    }

    /** Shuts the device down if the socket file disappears or is replaced (wireguard-go watches it with inotify). */
    private void watchLoop() {
        while (!closed) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            Object now;
            try {
                now = Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
            } catch (NoSuchFileException e) {
                now = null;
            } catch (IOException e) {
                continue;
            }
            if (!Objects.equals(now, fileKey)) {
                log.info("{}: UAPI socket {} was removed, shutting down", device.name(), socketPath);
                device.close();
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c;
                InputStream in = Channels.newInputStream(c);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c))) {
            LineReader reader = new LineReader(in);
            while (true) {
                String op = reader.line();
                if (op == null) {
                    return;
                }
                switch (op) {
                    case "get=1" -> {
                        String blank = reader.line();
                        if (blank == null || !blank.isEmpty()) {
                            write(out, "errno=" + -ConfigException.EINVAL + "\n\n");
                            return;
                        }
                        write(out, UapiProtocol.formatGet(device.status()) + "errno=0\n\n");
                    }
                    case "set=1" -> {
                        List<String> lines = new ArrayList<>();
                        String l;
                        while ((l = reader.line()) != null && !l.isEmpty()) {
                            if (lines.size() >= MAX_LINES) {
                                throw new IOException("set request has more than " + MAX_LINES + " lines");
                            }
                            lines.add(l);
                        }
                        int errno = 0;
                        try {
                            DeviceUpdate u = UapiProtocol.parseSet(lines);
                            device.configure(u);
                        } catch (ConfigException e) {
                            log.warn("{}: UAPI set failed: {}", device.name(), e.getMessage());
                            errno = e.errno();
                        }
                        write(out, "errno=" + (errno == 0 ? 0 : -errno) + "\n\n");
                        if (l == null) {
                            return;
                        }
                    }
                    default -> {
                        log.warn("{}: invalid UAPI operation: {}", device.name(), op);
                        return;
                    }
                }
            }
        } catch (IOException e) {
            log.debug("{}: UAPI connection ended: {}", device.name(), e.toString());
        } catch (RuntimeException e) {
            log.warn("{}: UAPI connection failed", device.name(), e);
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads '\n'-terminated lines with a length bound; null at end of input. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int len;

        LineReader(InputStream in) {
            this.in = in;
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos == len) {
                    len = in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return sb.isEmpty() ? null : sb.toString();
                    }
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    return sb.toString();
                }
                if (sb.length() >= MAX_LINE) {
                    throw new IOException("UAPI line longer than " + MAX_LINE);
                }
                sb.append((char) (b & 0xff));
            }
        }
    }

    /** Stops serving and removes the socket file (only if it is still ours). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing UAPI socket", e);
        }
        try {
            Object now = Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            if (Objects.equals(now, fileKey)) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException e) {
            // already gone
        }
    }
}
