package io.nexodus.stun;

import java.util.Arrays;
import java.util.HexFormat;

/** An attribute this module carries but does not interpret: its type and raw (unpadded) value. */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare the bytes
public record OpaqueAttribute(int type, byte[] value) implements StunAttribute {
    public OpaqueAttribute {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("attribute types are 16-bit: " + type);
        }
        if (value == null || value.length > 0xFFFF) {
            throw new IllegalArgumentException("attribute value must be 0-65535 bytes");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    int length() {
        return value.length;
    }

    byte[] valueUnsafe() {
        return value;
    }

    public boolean isComprehensionRequired() {
        return AttributeType.isComprehensionRequired(type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpaqueAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format(
                "OpaqueAttribute[type=0x%04x, value=%s]", type, HexFormat.of().formatHex(value));
    }
}
