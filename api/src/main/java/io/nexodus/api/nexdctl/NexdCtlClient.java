package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls a running agent over its control socket. One connection per call (as upstream's nexctl), so the client is
 * stateless and thread-safe. Every call has a deadline; the connectivity probe gets a longer one.
 * <pre>{@code
 * NexdCtlClient nexd = new NexdCtlClient(NexdCtl.defaultSocketPath());
 * nexd.requireVersion(NexodusVersion.current());
 * ListPeersResult peers = nexd.listPeers();
 * }</pre>
 * Failures are {@link NexdCtlException}s.
 */
public final class NexdCtlClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** Probing all peers runs in batches of a few seconds each; large meshes need more. */
    public static final Duration PROBE_TIMEOUT = Duration.ofMinutes(3);
    /** A ListPeers reply is about 500 bytes per peer. */
    public static final int DEFAULT_MAX_REPLY_BYTES = 32 << 20;

    private static final ObjectMapper JSON = Json.mapper();

    private final Path socket;
    private final Duration timeout;
    private final int maxReplyBytes;
    private final AtomicLong ids = new AtomicLong();

    public NexdCtlClient(Path socket) {
        this(socket, DEFAULT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES);
    }

    public NexdCtlClient(Path socket, Duration timeout, int maxReplyBytes) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxReplyBytes = maxReplyBytes;
    }

    public Path socket() {
        return socket;
    }

    // ---- typed calls ----

    public String version() {
        return call(NexdCtlMethod.VERSION, "").strip();
    }

    /** Throws {@link NexdVersionMismatchException} unless the agent's version equals {@code ours}. */
    public void requireVersion(String ours) {
        String theirs = version();
        if (!theirs.equals(ours)) {
            throw new NexdVersionMismatchException(ours, theirs);
        }
    }

    public NexdStatus status() {
        return NexdStatus.parse(call(NexdCtlMethod.STATUS, ""));
    }

    public String tunnelIp(IpFamily family) {
        return call(family == IpFamily.V4 ? NexdCtlMethod.GET_TUNNEL_IPV4 : NexdCtlMethod.GET_TUNNEL_IPV6, "")
                .strip();
    }

    public ListPeersResult listPeers() {
        return parse(NexdCtlMethod.LIST_PEERS, call(NexdCtlMethod.LIST_PEERS, ""), new TypeReference<>() {});
    }

    /** Asks the agent to probe every peer (takes seconds; deadline {@link #PROBE_TIMEOUT}). */
    public ConnectivityResult connectivity(IpFamily family) {
        NexdCtlMethod m = family == IpFamily.V4 ? NexdCtlMethod.CONNECTIVITY_V4 : NexdCtlMethod.CONNECTIVITY_V6;
        Duration t = timeout.compareTo(PROBE_TIMEOUT) > 0 ? timeout : PROBE_TIMEOUT;
        return parse(m, call(m, "", t), new TypeReference<>() {});
    }

    public List<String> proxyList() {
        return call(NexdCtlMethod.PROXY_LIST, "")
                .lines()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public String proxyAdd(ProxyDirection direction, String rule) {
        return call(
                direction == ProxyDirection.INGRESS ? NexdCtlMethod.PROXY_ADD_INGRESS : NexdCtlMethod.PROXY_ADD_EGRESS,
                rule);
    }

    public String proxyRemove(ProxyDirection direction, String rule) {
        return call(
                direction == ProxyDirection.INGRESS
                        ? NexdCtlMethod.PROXY_REMOVE_INGRESS
                        : NexdCtlMethod.PROXY_REMOVE_EGRESS,
                rule);
    }

    /** Whether the agent logs at debug level ({@code GetDebug} answers "on"/"off"; "true"/"enabled" are accepted). */
    public boolean debug() {
        String s = call(NexdCtlMethod.GET_DEBUG, "").strip().toLowerCase(Locale.ROOT);
        return s.equals("on") || s.equals("true") || s.contains("enabled") || s.endsWith(": on");
    }

    public String setDebug(boolean on) {
        return call(on ? NexdCtlMethod.SET_DEBUG_ON : NexdCtlMethod.SET_DEBUG_OFF, "");
    }

    public List<ExitNode> listExitNodes() {
        return parse(NexdCtlMethod.LIST_EXIT_NODES, call(NexdCtlMethod.LIST_EXIT_NODES, ""), new TypeReference<>() {});
    }

    /** {@code device}: host name, device id, public key or tunnel address; {@code ""}: the VPC's only exit node. */
    public String enableExitNodeClient(String device) {
        return call(NexdCtlMethod.ENABLE_EXIT_NODE_CLIENT, device == null ? "" : device);
    }

    public String disableExitNodeClient() {
        return call(NexdCtlMethod.DISABLE_EXIT_NODE_CLIENT, "");
    }

    // ---- the raw call ----

    /** Calls a method with the client's deadline and returns its string result. */
    public String call(NexdCtlMethod method, String param) {
        return call(method, param, timeout);
    }

    public String call(NexdCtlMethod method, String param, Duration deadline) {
        return call(method.wireName(), param, deadline);
    }

    /** Calls any method by wire name (e.g. a newer agent's). */
    public String call(String wireMethod, String param, Duration deadline) {
        long id = ids.incrementAndGet();
        SocketChannel ch = connect();
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("nexdctl-deadline").start(() -> {
            try {
                Thread.sleep(deadline);
                timedOut.set(true);
                ch.close(); // unblocks the read below
            } catch (InterruptedException | IOException ignored) {
                // the call finished first
            }
        });
        try (ch) {
            ByteBuffer out = ByteBuffer.wrap(JsonRpcCodec.encode(JsonRpcRequest.of(wireMethod, param, id)));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            JsonRpcFrameReader reader = new JsonRpcFrameReader(Channels.newInputStream(ch), maxReplyBytes);
            JsonRpcFrameReader.Frame frame = reader.next();
            JsonRpcResponse response = switch (frame) {
                case JsonRpcFrameReader.Frame.Json j -> response(wireMethod, id, j.bytes());
                case JsonRpcFrameReader.Frame.EndOfStream e -> throw lost(wireMethod, null);
                case JsonRpcFrameReader.Frame.Truncated t -> throw lost(wireMethod, null);
                case JsonRpcFrameReader.Frame.Oversized o ->
                    throw new NexdProtocolException(
                            "the reply to " + wireMethod + " is larger than " + o.limit() + " bytes", null);
                case JsonRpcFrameReader.Frame.Garbage g ->
                    throw new NexdProtocolException(
                            socket + " did not answer " + wireMethod + " with JSON-RPC (" + g.reason()
                                    + "); is it nexd's socket?",
                            null);
            };
            if (response.isError()) {
                throw new NexdRpcException(wireMethod, response.errorMessage());
            }
            String r = response.resultString();
            return r == null ? "" : r;
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new NexdUnreachableException(
                        socket,
                        NexdUnreachableException.Reason.TIMEOUT,
                        "nexd did not answer " + wireMethod + " within " + human(deadline),
                        e);
            }
            throw lost(wireMethod, e);
        } finally {
            watchdog.interrupt();
        }
    }

    private SocketChannel connect() {
        if (!Files.exists(socket)) {
            throw new NexdUnreachableException(
                    socket, NexdUnreachableException.Reason.NO_SOCKET, "no nexd control socket at " + socket, null);
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            throw new NexdUnreachableException(
                    socket,
                    NexdUnreachableException.Reason.NOT_LISTENING,
                    "nexd is not listening on " + socket + " (" + e.getMessage() + ")",
                    e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            boolean denied =
                    m.toLowerCase(Locale.ROOT).contains("permission denied") || e instanceof AccessDeniedException;
            throw new NexdUnreachableException(
                    socket,
                    denied
                            ? NexdUnreachableException.Reason.PERMISSION_DENIED
                            : NexdUnreachableException.Reason.NOT_LISTENING,
                    (denied ? "permission denied on " : "cannot connect to ") + socket + " (" + m + ")",
                    e);
        }
    }

    private JsonRpcResponse response(String wireMethod, long id, byte[] frame) {
        return switch (JsonRpcCodec.decode(frame)) {
            case JsonRpcDecodeResult.Decoded(JsonRpcResponse r) -> {
                if (!r.id().isNull() && !(r.id().isIntegralNumber() && r.id().asLong() == id)) {
                    throw new NexdProtocolException(
                            "reply to " + wireMethod + " has id " + r.id() + ", expected " + id, null);
                }
                yield r;
            }
            case JsonRpcDecodeResult.Decoded(JsonRpcRequest q) ->
                throw new NexdProtocolException(
                        "expected a reply to " + wireMethod + ", got a request " + q.method(), null);
            case JsonRpcDecodeResult.Invalid inv ->
                throw new NexdProtocolException("bad reply to " + wireMethod + ": " + inv.reason(), null);
        };
    }

    private NexdUnreachableException lost(String wireMethod, IOException cause) {
        String why = cause == null || cause instanceof ClosedChannelException ? "" : " (" + cause.getMessage() + ")";
        return new NexdUnreachableException(
                socket,
                NexdUnreachableException.Reason.CONNECTION_LOST,
                "nexd closed the connection without answering " + wireMethod + why,
                cause);
    }

    private static <T> T parse(NexdCtlMethod m, String json, TypeReference<T> type) {
        try {
            T v = JSON.readValue(json, type);
            if (v == null) {
                throw new NexdProtocolException(m.wireName() + " returned null", null);
            }
            return v;
        } catch (IOException e) {
            String head = json.length() > 120 ? json.substring(0, 120) + "..." : json;
            throw new NexdProtocolException(
                    m.wireName() + " returned something that is not its JSON result: " + head, e);
        }
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "NexdCtlClient[" + socket + "]";
    }
}
