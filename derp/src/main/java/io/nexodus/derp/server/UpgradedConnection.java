package io.nexodus.derp.server;

import io.nexodus.derp.frame.FrameReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A connection handed from the HTTP layer to the DERP server after {@code Upgrade: DERP}.
 *
 * @param socket   the TCP or TLS socket (closing it ends the connection)
 * @param in       the reader that parsed the HTTP request; bytes it already buffered belong to the first frame
 * @param out      the socket's output stream
 * @param remote   the client's address
 * @param preamble bytes to send before the ServerKey frame in the same write (the 101 response), or empty for fast start
 * @param notIdeal the client sent {@code Ideal-Node} (PeerPresent flag 0x08)
 */
@SuppressWarnings("ArrayRecordComponent") // one connection's hand-over, never compared; preamble is sent once
public record UpgradedConnection(
        Socket socket, FrameReader in, OutputStream out, InetSocketAddress remote, byte[] preamble, boolean notIdeal) {}
