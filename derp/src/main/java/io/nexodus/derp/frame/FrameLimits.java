package io.nexodus.derp.frame;

/**
 * Largest accepted payload per frame type, checked against the header before anything is allocated.
 *
 * @param maxClientInfo ClientInfo payload (server: 256 KiB)
 * @param maxPacket     packet bytes inside Send/Recv/ForwardPacket, not counting keys (65536)
 * @param maxPing       Ping/Pong payload (server: 1000)
 * @param maxOther      any other frame, including unknown types that are skipped
 */
public record FrameLimits(int maxClientInfo, int maxPacket, int maxPing, int maxOther) {
    /** DERP's MaxPacketSize. */
    public static final int MAX_PACKET_SIZE = 64 << 10;

    /** What a server accepts from clients (Tailscale's derpserver limits; unknown frames up to 64 KiB are skipped). */
    public static final FrameLimits SERVER = new FrameLimits(256 << 10, MAX_PACKET_SIZE, 1000, MAX_PACKET_SIZE + 64);

    /** What a client accepts from servers (Go's client: any frame up to 1 MiB). */
    public static final FrameLimits CLIENT = new FrameLimits(1 << 20, MAX_PACKET_SIZE, 1 << 20, 1 << 20);

    /** The largest payload allowed for {@code typeCode}. */
    public long maxPayload(int typeCode) {
        FrameType t = FrameType.of(typeCode);
        if (t == null) {
            return maxOther;
        }
        return switch (t) {
            case CLIENT_INFO -> maxClientInfo;
            case SEND_PACKET, RECV_PACKET -> 32L + maxPacket;
            case FORWARD_PACKET -> 64L + maxPacket;
            case SERVER_KEY -> 1024;
            case PING, PONG -> maxPing;
            case NOTE_PREFERRED -> 1;
            case WATCH_CONNS -> 0;
            case CLOSE_PEER -> 32;
            default -> maxOther;
        };
    }
}
