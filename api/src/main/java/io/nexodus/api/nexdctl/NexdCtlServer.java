package io.nexodus.api.nexdctl;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Serves a {@link NexdCtl} on the agent's control socket.
 * <pre>{@code
 * try (NexdCtlServer ctl = new NexdCtlServer(socketPath, myAgentControl).start()) {
 *     ... run the agent ...
 * }
 * }</pre>
 * {@link #start()} fails if another process (another nexd) still answers on the socket; a stale socket file is
 * replaced. The socket is 0600 by default: only the agent's user (root) may control it.
 */
public final class NexdCtlServer implements AutoCloseable {
    private final JsonRpcServer server;

    public NexdCtlServer(Path socket, NexdCtl service) {
        this(socket, service, JsonRpcServer.Limits.DEFAULT, JsonRpcServer.OWNER_ONLY);
    }

    public NexdCtlServer(
            Path socket, NexdCtl service, JsonRpcServer.Limits limits, Set<PosixFilePermission> socketPermissions) {
        this.server = new JsonRpcServer(socket, new NexdCtlDispatcher(service), limits, socketPermissions);
    }

    public NexdCtlServer start() throws IOException {
        server.start();
        return this;
    }

    public Path socket() {
        return server.socket();
    }

    public int activeConnections() {
        return server.activeConnections();
    }

    @Override
    public void close() {
        server.close();
    }
}
