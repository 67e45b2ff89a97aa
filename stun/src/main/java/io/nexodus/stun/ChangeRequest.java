package io.nexodus.stun;

/**
 * CHANGE-REQUEST (0x0003, RFC 3489 and RFC 5780): asks the server to answer from its alternate IP and/or port. Our
 * server has no alternate address, so it honours only the all-false form (see {@link StunServer}).
 */
public record ChangeRequest(boolean changeIp, boolean changePort) implements StunAttribute {
    static final int CHANGE_IP = 0x04;
    static final int CHANGE_PORT = 0x02;

    public boolean changesAnything() {
        return changeIp || changePort;
    }

    @Override
    public int type() {
        return AttributeType.CHANGE_REQUEST;
    }
}
