package io.nexodus.stun;

/** ERROR-CODE (0x0009): a code 300-699 and a UTF-8 reason phrase. */
public record ErrorCode(int code, String reason) implements StunAttribute {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHENTICATED = 401;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int STALE_NONCE = 438;
    public static final int SERVER_ERROR = 500;

    public ErrorCode {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("STUN error codes are 300-699: " + code);
        }
        if (reason == null) {
            throw new IllegalArgumentException("reason is null");
        }
    }

    @Override
    public int type() {
        return AttributeType.ERROR_CODE;
    }
}
