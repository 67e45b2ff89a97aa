package io.nexodus.stun;

/**
 * A STUN message type: a 12-bit method and a class, interleaved on the wire as
 * {@code M11..M7 C1 M6..M4 C0 M3..M0} in the low 14 bits (the top two bits are always zero).
 */
public record StunMessageType(int method, StunClass messageClass) {
    /** The Binding method, the only one STUN itself defines. */
    public static final int BINDING = 0x001;

    public static final StunMessageType BINDING_REQUEST = new StunMessageType(BINDING, StunClass.REQUEST);
    public static final StunMessageType BINDING_INDICATION = new StunMessageType(BINDING, StunClass.INDICATION);
    public static final StunMessageType BINDING_SUCCESS = new StunMessageType(BINDING, StunClass.SUCCESS_RESPONSE);
    public static final StunMessageType BINDING_ERROR = new StunMessageType(BINDING, StunClass.ERROR_RESPONSE);

    public StunMessageType {
        if (method < 0 || method > 0xFFF) {
            throw new IllegalArgumentException("STUN method must fit 12 bits: " + method);
        }
        if (messageClass == null) {
            throw new IllegalArgumentException("messageClass is null");
        }
    }

    /** The 16-bit wire value. */
    public int code() {
        int c = messageClass.bits();
        return (method & 0x000F)
                | ((c & 0b01) << 4)
                | ((method & 0x0070) << 1)
                | ((c & 0b10) << 7)
                | ((method & 0x0F80) << 2);
    }

    /** Decodes a 16-bit wire value; the two top bits must be zero. */
    public static StunMessageType fromCode(int code) {
        if ((code & ~0x3FFF) != 0) {
            throw new IllegalArgumentException("not a STUN message type (top bits set): " + code);
        }
        int method = (code & 0x000F) | ((code >> 1) & 0x0070) | ((code >> 2) & 0x0F80);
        int c = ((code >> 4) & 0b01) | ((code >> 7) & 0b10);
        return new StunMessageType(method, StunClass.ofBits(c));
    }

    public boolean isBinding() {
        return method == BINDING;
    }

    @Override
    public String toString() {
        return (method == BINDING ? "Binding" : String.format("method 0x%03x", method)) + " " + messageClass;
    }
}
