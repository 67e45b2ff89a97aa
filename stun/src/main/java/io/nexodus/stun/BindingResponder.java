package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's decision for one datagram, free of I/O so it can be tested and fuzzed directly:
 * <ul>
 *   <li>RFC 5389/8489 Binding Request: success response with XOR-MAPPED-ADDRESS (+ SOFTWARE, + FINGERPRINT if the
 *       request carried one);</li>
 *   <li>classic RFC 3489 Binding Request (no magic cookie): success response with MAPPED-ADDRESS (+ SOFTWARE padded
 *       with spaces to a multiple of 4 bytes), echoing the 128-bit transaction id;</li>
 *   <li>a request with comprehension-required attributes we do not understand: 420 with UNKNOWN-ATTRIBUTES;</li>
 *   <li>CHANGE-REQUEST asking for another IP or port, which we cannot honour (no alternate address): 420 for an
 *       RFC 5389+ request (as RFC 5780 prescribes), silence for a classic one — RFC 3489 has no such error, and a
 *       classic client (e.g. Debian's {@code stun}) reads any answer, even an error, as "the change worked";</li>
 *   <li>anything else (responses, indications, other methods, garbage) gets no answer.</li>
 * </ul>
 */
final class BindingResponder {
    enum Disposition {
        SUCCESS,
        ERROR,
        MALFORMED,
        IGNORED
    }

    /** Comprehension-required types a Binding Request may carry that need no action from a credential-less server. */
    private static final Set<Integer> UNDERSTOOD = Set.of(
            AttributeType.MAPPED_ADDRESS,
            AttributeType.XOR_MAPPED_ADDRESS,
            AttributeType.CHANGE_REQUEST,
            AttributeType.USERNAME,
            AttributeType.MESSAGE_INTEGRITY,
            AttributeType.MESSAGE_INTEGRITY_SHA256,
            AttributeType.ERROR_CODE,
            AttributeType.UNKNOWN_ATTRIBUTES,
            AttributeType.REALM,
            AttributeType.NONCE,
            AttributeType.PASSWORD_ALGORITHM,
            AttributeType.USERHASH);

    private final List<StunAttribute> software;
    private final List<StunAttribute> classicSoftware;

    BindingResponder(String software) {
        this.software = software == null || software.isEmpty() ? List.of() : List.of(new Software(software));
        // RFC 3489 string attributes are multiples of 4 bytes, and its parsers (Debian's stun client) reject the
        // whole response otherwise: pad with spaces, as RFC 5769's vectors do.
        String padded = software == null ? "" : software + " ".repeat((4 - StunEncoder.utf8Length(software) % 4) % 4);
        this.classicSoftware = padded.isEmpty() ? List.of() : List.of(new Software(padded));
    }

    /**
     * Decides the answer to {@code datagram} from {@code source}. For SUCCESS and ERROR the response is in
     * {@code out} (cleared, then flipped ready to send); {@code out} must hold {@link StunCodec#MAX_DATAGRAM} bytes.
     */
    Disposition respond(ByteBuffer datagram, InetSocketAddress source, ByteBuffer out) {
        if (!(StunCodec.decode(datagram) instanceof StunParseResult.Parsed(StunMessage request))) {
            return Disposition.MALFORMED;
        }
        if (!request.type().equals(StunMessageType.BINDING_REQUEST)) {
            return Disposition.IGNORED;
        }
        Set<Integer> unknown = new LinkedHashSet<>();
        for (StunAttribute a : request.attributes()) {
            if (AttributeType.isComprehensionRequired(a.type()) && !UNDERSTOOD.contains(a.type())) {
                unknown.add(a.type());
            }
        }
        if (request.attribute(ChangeRequest.class)
                .map(ChangeRequest::changesAnything)
                .orElse(false)) {
            if (request.isClassic()) {
                return Disposition.IGNORED;
            }
            unknown.add(AttributeType.CHANGE_REQUEST);
        }
        List<StunAttribute> attributes = new ArrayList<>(3);
        StunMessageType type;
        if (!unknown.isEmpty()) {
            type = StunMessageType.BINDING_ERROR;
            attributes.add(new ErrorCode(ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute"));
            attributes.add(new UnknownAttributes(List.copyOf(unknown)));
        } else {
            type = StunMessageType.BINDING_SUCCESS;
            attributes.add(request.isClassic() ? new MappedAddress(source) : new XorMappedAddress(source));
        }
        attributes.addAll(request.isClassic() ? classicSoftware : software);
        StunMessage response = new StunMessage(type, request.transactionId(), attributes, request.fingerprint());
        out.clear();
        StunCodec.encode(response, out);
        out.flip();
        return unknown.isEmpty() ? Disposition.SUCCESS : Disposition.ERROR;
    }
}
