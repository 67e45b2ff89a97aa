package io.nexodus.derp.frame;

import io.nexodus.core.key.NodePublicKey;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One DERP frame. The records below are the frame family; {@link FrameCodec} turns them into bytes and back. Records
 * that carry byte arrays compare them by content.
 */
public sealed interface Frame {

    /** The type byte, or the raw byte for {@link Unknown}. */
    int typeCode();

    /** 0x01 S→C: the server's public key after the 8-byte magic "DERP🔑". */
    record ServerKey(NodePublicKey key) implements Frame {
        public ServerKey {
            Objects.requireNonNull(key);
        }

        @Override
        public int typeCode() {
            return FrameType.SERVER_KEY.code();
        }
    }

    /** 0x02 C→S: the client's public key and {@code nonce || box(JSON ClientInfo)} sealed to the server. */
    @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the bytes; the array is handed on uncopied
    record ClientInfoFrame(NodePublicKey clientKey, byte[] sealedInfo) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.CLIENT_INFO.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClientInfoFrame f
                    && clientKey.equals(f.clientKey)
                    && Arrays.equals(sealedInfo, f.sealedInfo);
        }

        @Override
        public int hashCode() {
            return clientKey.hashCode() * 31 + Arrays.hashCode(sealedInfo);
        }

        @Override
        public String toString() {
            return "ClientInfoFrame[" + clientKey.shortString() + ", " + sealedInfo.length + " bytes]";
        }
    }

    /** 0x03 S→C: {@code nonce || box(JSON ServerInfo)} sealed to the client. */
    @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the bytes; the array is handed on uncopied
    record ServerInfoFrame(byte[] sealedInfo) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.SERVER_INFO.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ServerInfoFrame f && Arrays.equals(sealedInfo, f.sealedInfo);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sealedInfo);
        }

        @Override
        public String toString() {
            return "ServerInfoFrame[" + sealedInfo.length + " bytes]";
        }
    }

    /** 0x04 C→S: a packet for {@code destination}. The source is the sender's handshake key, never in the frame. */
    @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the bytes; the array is handed on uncopied
    record SendPacket(NodePublicKey destination, byte[] packet) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.SEND_PACKET.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SendPacket f && destination.equals(f.destination) && Arrays.equals(packet, f.packet);
        }

        @Override
        public int hashCode() {
            return destination.hashCode() * 31 + Arrays.hashCode(packet);
        }

        @Override
        public String toString() {
            return "SendPacket[to " + destination.shortString() + ", " + packet.length + " bytes]";
        }
    }

    /** 0x05 S→C: a packet from {@code source} (v2 form). */
    @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the bytes; the array is handed on uncopied
    record RecvPacket(NodePublicKey source, byte[] packet) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.RECV_PACKET.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RecvPacket f && source.equals(f.source) && Arrays.equals(packet, f.packet);
        }

        @Override
        public int hashCode() {
            return source.hashCode() * 31 + Arrays.hashCode(packet);
        }

        @Override
        public String toString() {
            return "RecvPacket[from " + source.shortString() + ", " + packet.length + " bytes]";
        }
    }

    /** 0x06 S→C: keeps the connection alive; needs no reply. */
    record KeepAlive() implements Frame {
        @Override
        public int typeCode() {
            return FrameType.KEEP_ALIVE.code();
        }
    }

    /** 0x07 C→S: whether this server is the client's home (stats only). */
    record NotePreferred(boolean preferred) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.NOTE_PREFERRED.code();
        }
    }

    /** 0x08 S→C: {@code peer} is gone. */
    record PeerGone(NodePublicKey peer, PeerGoneReason reason) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.PEER_GONE.code();
        }
    }

    /**
     * 0x09 S→watcher: {@code peer} connected. {@code endpoint} is the peer's IP and port when the server sent them;
     * {@code flags} is 0 when absent (older servers), else a combination of the {@code FLAG_*} bits.
     */
    record PeerPresent(NodePublicKey peer, Optional<InetSocketAddress> endpoint, int flags) implements Frame {
        public static final int FLAG_IS_REGULAR = 0x01;
        public static final int FLAG_IS_MESH_PEER = 0x02;
        public static final int FLAG_IS_PROBER = 0x04;
        public static final int FLAG_NOT_IDEAL = 0x08;

        public PeerPresent {
            Objects.requireNonNull(peer);
            Objects.requireNonNull(endpoint);
            if (flags < 0 || flags > 255) {
                throw new IllegalArgumentException("PeerPresent flags are one byte");
            }
        }

        @Override
        public int typeCode() {
            return FrameType.PEER_PRESENT.code();
        }
    }

    /** 0x0a mesh peer→S: a packet from {@code source} to {@code destination}, forwarded by another server. */
    @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the bytes; the array is handed on uncopied
    record ForwardPacket(NodePublicKey source, NodePublicKey destination, byte[] packet) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.FORWARD_PACKET.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ForwardPacket f
                    && source.equals(f.source)
                    && destination.equals(f.destination)
                    && Arrays.equals(packet, f.packet);
        }

        @Override
        public int hashCode() {
            return (source.hashCode() * 31 + destination.hashCode()) * 31 + Arrays.hashCode(packet);
        }

        @Override
        public String toString() {
            return "ForwardPacket[" + source.shortString() + " -> " + destination.shortString() + ", " + packet.length
                    + " bytes]";
        }
    }

    /** 0x10 mesh→S: subscribe to PeerPresent/PeerGone for every client of this server. */
    record WatchConns() implements Frame {
        @Override
        public int typeCode() {
            return FrameType.WATCH_CONNS.code();
        }
    }

    /** 0x11 mesh→S: close every connection of {@code peer}. */
    record ClosePeer(NodePublicKey peer) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.CLOSE_PEER.code();
        }
    }

    /** 0x12 both ways: 8 bytes to echo, here as a big-endian long. */
    record Ping(long data) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.PING.code();
        }
    }

    /** 0x13 both ways: the echoed 8 bytes of a Ping. */
    record Pong(long data) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.PONG.code();
        }
    }

    /** 0x14 S→C: a problem description; empty means healthy. */
    record Health(String problem) implements Frame {
        @Override
        public int typeCode() {
            return FrameType.HEALTH.code();
        }
    }

    /** 0x15 S→C: the server is restarting; reconnect after {@code reconnectInMillis}, keep trying for {@code tryForMillis}. */
    record Restarting(long reconnectInMillis, long tryForMillis) implements Frame {
        public Restarting {
            if (reconnectInMillis < 0
                    || reconnectInMillis > 0xffffffffL
                    || tryForMillis < 0
                    || tryForMillis > 0xffffffffL) {
                throw new IllegalArgumentException("Restarting durations are uint32 milliseconds");
            }
        }

        @Override
        public int typeCode() {
            return FrameType.RESTARTING.code();
        }
    }

    /** A frame of a type this implementation does not know; its payload was skipped. */
    record Unknown(int typeCode, int length) implements Frame {}
}
