package io.nexodus.stun;

/** SOFTWARE (0x8022): a textual description of the sending agent, UTF-8 on the wire. */
public record Software(String description) implements StunAttribute {
    /** RFC 8489 §14.14: fewer than 128 characters, at most 763 bytes; only enforced for what we send. */
    static final int MAX_BYTES = 763;

    public Software {
        if (description == null) {
            throw new IllegalArgumentException("description is null");
        }
    }

    @Override
    public int type() {
        return AttributeType.SOFTWARE;
    }
}
