package io.nexodus.stun;

import java.util.List;

/** UNKNOWN-ATTRIBUTES (0x000A): in a 420 error response, the comprehension-required types the server rejected. */
public record UnknownAttributes(List<Integer> types) implements StunAttribute {
    public UnknownAttributes {
        types = List.copyOf(types);
        for (int t : types) {
            if (t < 0 || t > 0xFFFF) {
                throw new IllegalArgumentException("attribute types are 16-bit: " + t);
            }
        }
    }

    @Override
    public int type() {
        return AttributeType.UNKNOWN_ATTRIBUTES;
    }
}
