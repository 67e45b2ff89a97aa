package io.nexodus.stun;

import java.util.List;
import java.util.Optional;

/**
 * A STUN message: type, transaction id, attributes in wire order, and whether it carries (or, when encoded, will
 * carry) a FINGERPRINT as its last attribute. A message whose transaction id is 16 bytes is a classic RFC 3489
 * message: it has no magic cookie, and XOR-MAPPED-ADDRESS and FINGERPRINT do not exist for it.
 */
public record StunMessage(
        StunMessageType type, TransactionId transactionId, List<StunAttribute> attributes, boolean fingerprint) {
    public StunMessage {
        if (type == null || transactionId == null) {
            throw new IllegalArgumentException("type and transactionId are required");
        }
        attributes = List.copyOf(attributes);
        if (transactionId.isClassic()) {
            if (fingerprint) {
                throw new IllegalArgumentException("a classic RFC 3489 message cannot carry FINGERPRINT");
            }
            for (StunAttribute a : attributes) {
                if (a instanceof XorMappedAddress) {
                    throw new IllegalArgumentException("a classic RFC 3489 message cannot carry XOR-MAPPED-ADDRESS");
                }
            }
        } else {
            for (StunAttribute a : attributes) {
                if (a.type() == AttributeType.FINGERPRINT) {
                    throw new IllegalArgumentException("FINGERPRINT is the fingerprint flag, not an attribute");
                }
            }
        }
    }

    /** A Binding Request with no attributes. */
    public static StunMessage bindingRequest(TransactionId id) {
        return new StunMessage(StunMessageType.BINDING_REQUEST, id, List.of(), false);
    }

    /** True for a classic RFC 3489 message (no magic cookie, 128-bit transaction id). */
    public boolean isClassic() {
        return transactionId.isClassic();
    }

    /** The first attribute of the given kind (RFC 8489 §14: later duplicates are ignored). */
    public <T extends StunAttribute> Optional<T> attribute(Class<T> kind) {
        for (StunAttribute a : attributes) {
            if (kind.isInstance(a)) {
                return Optional.of(kind.cast(a));
            }
        }
        return Optional.empty();
    }
}
