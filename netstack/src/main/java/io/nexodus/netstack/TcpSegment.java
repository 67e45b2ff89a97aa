package io.nexodus.netstack;

/**
 * A TCP segment (RFC 9293): ports, sequence and acknowledgment numbers (as unsigned 32-bit values in an int), flags,
 * the window as sent (unscaled), options and payload.
 */
@SuppressWarnings("ArrayRecordComponent") // the payload is owned by the segment once parsed or built
record TcpSegment(
        int srcPort, int dstPort, int seq, int ack, int flags, int window, TcpOptions options, byte[] payload) {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: payload plus one each for SYN and FIN. */
    int seqLength() {
        return payload.length + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        String[] names = {"F", "S", "R", "P", ".", "U"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                f.append(names[i]);
            }
        }
        return srcPort + ">" + dstPort + " [" + f + "] seq=" + Integer.toUnsignedString(seq) + " ack="
                + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payload.length;
    }
}
