package io.nexodus.derp.frame;

/** DERP v2 frame type bytes (Tailscale {@code derp/derp.go}). Types not listed here are skipped by both sides. */
public enum FrameType {
    SERVER_KEY(0x01),
    CLIENT_INFO(0x02),
    SERVER_INFO(0x03),
    SEND_PACKET(0x04),
    RECV_PACKET(0x05),
    KEEP_ALIVE(0x06),
    NOTE_PREFERRED(0x07),
    PEER_GONE(0x08),
    PEER_PRESENT(0x09),
    FORWARD_PACKET(0x0a),
    WATCH_CONNS(0x10),
    CLOSE_PEER(0x11),
    PING(0x12),
    PONG(0x13),
    HEALTH(0x14),
    RESTARTING(0x15);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** The type for a wire byte, or {@code null} when it is not a known type. */
    public static FrameType of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}
