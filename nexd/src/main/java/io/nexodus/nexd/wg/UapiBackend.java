package io.nexodus.nexd.wg;

import io.nexodus.core.key.NodePrivateKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WireGuard implementation in another process, configured over UAPI: {@code wireguard-go} by default
 * ({@code NEXD_USE_WIREGUARD_GO=1}). nexd starts it in the foreground as a child, waits for its UAPI socket, and stops
 * it on close (which removes the interface). Its UDP socket belongs to the other process, so STUN cannot share it:
 * {@link #sharedSocket()} is empty and nexd queries STUN from a socket of its own, whose NAT mapping may differ from
 * WireGuard's (same IP on an endpoint-independent NAT, likely another port).
 */
public final class UapiBackend implements WireGuardBackend {
    private static final Logger log = LoggerFactory.getLogger(UapiBackend.class);
    static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    private final String name;
    private final Process process;
    private final UapiConnection uapi;
    private final String publicKey;
    private final int listenPort;
    private volatile boolean closed;

    private UapiBackend(String name, Process process, UapiConnection uapi, String publicKey, int listenPort) {
        this.name = name;
        this.process = process;
        this.uapi = uapi;
        this.publicKey = publicKey;
        this.listenPort = listenPort;
    }

    /**
     * Starts {@code command name} (e.g. {@code wireguard-go -f wg0}), waits up to {@code startTimeout} for the UAPI
     * socket, then sets the private key and listen port.
     */
    public static UapiBackend start(
            List<String> command,
            String name,
            String privateKeyBase64,
            int listenPort,
            Duration startTimeout,
            Path logFile)
            throws BackendException {
        Path socket = SOCKET_DIR.resolve(name + ".sock");
        if (Files.exists(socket)) {
            throw new BackendException(
                    "the UAPI socket " + socket + " exists already: another WireGuard process serves " + name
                            + " (or a crashed one left it; remove it)");
        }
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            // if nexd dies (even SIGKILL), the kernel sends the child SIGTERM: no orphan keeps the interface. (The
            // signal follows the thread that started the child: nexd starts it from its main thread, which lives as
            // long as the process.)
            argv.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--"));
        }
        argv.addAll(command);
        argv.add(name);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        pb.environment().putIfAbsent("LOG_LEVEL", "error");
        if (logFile != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BackendException(
                    "cannot start " + String.join(" ", argv) + ": " + e.getMessage() + " (is wireguard-go installed?)",
                    e);
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!Files.exists(socket)) {
            if (!p.isAlive()) {
                throw new BackendException(String.join(" ", argv) + " exited with status " + p.exitValue()
                        + " before creating " + socket + (logFile == null ? "" : "; see " + logFile));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new BackendException(
                        String.join(" ", argv) + " did not create " + socket + " within " + startTimeout);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while starting " + argv.getFirst());
            }
        }
        UapiConnection conn = new UapiConnection(socket);
        NodePrivateKey priv = NodePrivateKey.fromBase64(privateKeyBase64);
        UapiBackend b =
                new UapiBackend(name, p, conn, priv.clamped().publicKey().toBase64(), 0);
        try {
            conn.set(List.of("private_key=" + priv.toHex(), "listen_port=" + listenPort));
            int port = listenPort;
            if (port == 0) {
                for (String l : conn.get()) {
                    if (l.startsWith("listen_port=")) {
                        port = Integer.parseInt(l.substring(12));
                    }
                }
            }
            return new UapiBackend(name, p, conn, b.publicKey, port);
        } catch (BackendException | RuntimeException e) {
            b.close();
            throw e instanceof BackendException be ? be : new BackendException(e.getMessage(), e);
        }
    }

    @Override
    public String interfaceName() {
        return name;
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    @Override
    public String publicKey() {
        return publicKey;
    }

    @Override
    public void apply(List<PeerChange> changes) throws BackendException {
        if (changes.isEmpty()) {
            return;
        }
        uapi.set(UapiLines.forChanges(changes));
    }

    @Override
    public void setFwmark(int mark) throws BackendException {
        uapi.set(List.of("fwmark=" + mark));
    }

    @Override
    public Map<String, PeerCounters> peers() throws BackendException {
        return UapiLines.parsePeers(uapi.get());
    }

    @Override
    public Optional<DatagramPort> sharedSocket() {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "UAPI WireGuard process (pid " + process.pid() + ", " + uapi.socket() + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(uapi.socket());
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", uapi.socket(), e.toString());
        }
    }
}
