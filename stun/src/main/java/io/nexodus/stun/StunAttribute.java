package io.nexodus.stun;

/**
 * One attribute of a STUN message. The attributes this module interprets have their own record; every other one
 * (USERNAME, MESSAGE-INTEGRITY, PRIORITY, …) is kept as an {@link OpaqueAttribute} with its raw value.
 * FINGERPRINT is not an attribute here: it is {@link StunMessage#fingerprint()}, computed by the encoder and checked
 * by the decoder.
 */
public sealed interface StunAttribute
        permits MappedAddress,
                XorMappedAddress,
                Software,
                ErrorCode,
                UnknownAttributes,
                ChangeRequest,
                OpaqueAttribute {
    /** The 16-bit attribute type ({@link AttributeType}). */
    int type();
}
