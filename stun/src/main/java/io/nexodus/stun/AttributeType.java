package io.nexodus.stun;

/**
 * STUN attribute type numbers (IANA "STUN Attributes" registry) used by this module. Types 0x0000-0x7FFF are
 * comprehension-required: an agent that does not understand one must reject a request carrying it (420). Types
 * 0x8000-0xFFFF are comprehension-optional and may be ignored.
 */
public final class AttributeType {
    private AttributeType() {}

    public static final int MAPPED_ADDRESS = 0x0001;
    /** RFC 3489 only; asked the server to send the response elsewhere (a reflection risk), removed by RFC 5389. */
    public static final int RESPONSE_ADDRESS = 0x0002;
    /** RFC 3489 / RFC 5780. */
    public static final int CHANGE_REQUEST = 0x0003;
    /** RFC 3489 responses only. */
    public static final int SOURCE_ADDRESS = 0x0004;
    /** RFC 3489 responses only. */
    public static final int CHANGED_ADDRESS = 0x0005;

    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int FINGERPRINT = 0x8028;
    public static final int RESPONSE_ORIGIN = 0x802B;
    public static final int OTHER_ADDRESS = 0x802C;

    /** True for types 0x0000-0x7FFF, which a receiver must understand or reject (RFC 8489 §15). */
    public static boolean isComprehensionRequired(int type) {
        return (type & 0x8000) == 0;
    }
}
