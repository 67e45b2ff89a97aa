package io.nexodus.derp.frame;

/**
 * The reason byte of a PeerGone frame. Unknown codes are kept as they are so a frame round-trips unchanged.
 *
 * @param code the wire byte (0..255)
 */
public record PeerGoneReason(int code) {
    /** The peer's last connection to the region closed (0x00; also what a missing reason byte means). */
    public static final PeerGoneReason DISCONNECTED = new PeerGoneReason(0x00);
    /** A packet was sent to a peer that is not connected here (0x01). */
    public static final PeerGoneReason NOT_HERE = new PeerGoneReason(0x01);
    /** Made up locally by a mesh watcher when its connection broke (0xf0); never on the wire. */
    public static final PeerGoneReason MESH_CONN_BROKE = new PeerGoneReason(0xf0);

    public PeerGoneReason {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("a PeerGone reason is one byte");
        }
    }

    @Override
    public String toString() {
        return switch (code) {
            case 0x00 -> "disconnected";
            case 0x01 -> "not-here";
            case 0xf0 -> "mesh-conn-broke";
            default -> "reason-0x" + Integer.toHexString(code);
        };
    }
}
