package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.stun.BindingResponder.Disposition;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingResponderTest {
    private final BindingResponder responder = new BindingResponder("nexodus-test");
    private final ByteBuffer out = ByteBuffer.allocate(StunCodec.MAX_DATAGRAM);
    private static final TransactionId TXID = new TransactionId(Rfc5769.TRANSACTION_ID);

    private static InetSocketAddress addr(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private Disposition respond(StunMessage request, InetSocketAddress from) {
        return responder.respond(StunCodec.encode(request), from, out);
    }

    private StunMessage response() {
        return ((StunParseResult.Parsed) StunCodec.decode(out)).message();
    }

    @Test
    void modernRequestGetsXorMappedAddressAndMirroredFingerprint() throws Exception {
        InetSocketAddress from = addr("198.51.100.7", 40000);
        for (boolean fingerprint : new boolean[] {true, false}) {
            assertThat(respond(new StunMessage(StunMessageType.BINDING_REQUEST, TXID, List.of(), fingerprint), from))
                    .isEqualTo(Disposition.SUCCESS);
            StunMessage r = response();
            assertThat(r.type()).isEqualTo(StunMessageType.BINDING_SUCCESS);
            assertThat(r.transactionId()).isEqualTo(TXID);
            assertThat(r.attributes()).containsExactly(new XorMappedAddress(from), new Software("nexodus-test"));
            assertThat(r.fingerprint()).isEqualTo(fingerprint);
        }
    }

    @Test
    void ipv6SourceGetsIpv6Mapping() throws Exception {
        InetSocketAddress from = addr("2001:db8::1", 51820);
        assertThat(respond(StunMessage.bindingRequest(TXID), from)).isEqualTo(Disposition.SUCCESS);
        assertThat(response().attribute(XorMappedAddress.class)).contains(new XorMappedAddress(from));
    }

    @Test
    void classicRequestGetsMappedAddressAndItsOwnTransactionId() throws Exception {
        TransactionId classic = new TransactionId(Rfc5769.hex("0102030405060708090a0b0c0d0e0f10"));
        InetSocketAddress from = addr("192.0.2.9", 3000);
        assertThat(respond(StunMessage.bindingRequest(classic), from)).isEqualTo(Disposition.SUCCESS);
        StunMessage r = response();
        assertThat(r.isClassic()).isTrue();
        assertThat(r.transactionId()).isEqualTo(classic);
        // RFC 3489 parsers want string attributes in whole 4-byte words: "nexodus-test" is 12 bytes already
        assertThat(r.attributes()).containsExactly(new MappedAddress(from), new Software("nexodus-test"));
        assertThat(r.fingerprint()).isFalse();
        new BindingResponder("nexodus").respond(StunCodec.encode(StunMessage.bindingRequest(classic)), from, out);
        assertThat(response().attribute(Software.class)).contains(new Software("nexodus "));
    }

    @Test
    void unknownComprehensionRequiredAttributesGet420() throws Exception {
        // the RFC 5769 sample request carries PRIORITY (0x0024), an ICE attribute a plain STUN server does not know
        assertThat(responder.respond(ByteBuffer.wrap(Rfc5769.REQUEST), addr("192.0.2.1", 1), out))
                .isEqualTo(Disposition.ERROR);
        StunMessage r = response();
        assertThat(r.type()).isEqualTo(StunMessageType.BINDING_ERROR);
        assertThat(r.transactionId()).isEqualTo(TXID);
        assertThat(r.attribute(ErrorCode.class).orElseThrow().code()).isEqualTo(420);
        assertThat(r.attribute(UnknownAttributes.class)).contains(new UnknownAttributes(List.of(0x0024)));
        assertThat(r.fingerprint()).isTrue();
    }

    @Test
    void unknownOptionalAttributesAndCredentialAttributesAreIgnored() throws Exception {
        StunMessage request = new StunMessage(
                StunMessageType.BINDING_REQUEST,
                TXID,
                List.of(
                        new OpaqueAttribute(0x8029, new byte[8]),
                        new OpaqueAttribute(AttributeType.USERNAME, new byte[] {'u'}),
                        new OpaqueAttribute(AttributeType.MESSAGE_INTEGRITY, new byte[20])),
                true);
        assertThat(respond(request, addr("192.0.2.1", 1))).isEqualTo(Disposition.SUCCESS);
    }

    @Test
    void responseAddressIsNeverHonoured() throws Exception {
        StunMessage request = new StunMessage(
                StunMessageType.BINDING_REQUEST,
                TXID,
                List.of(new OpaqueAttribute(AttributeType.RESPONSE_ADDRESS, new byte[8])),
                false);
        assertThat(respond(request, addr("192.0.2.1", 1))).isEqualTo(Disposition.ERROR);
        assertThat(response().attribute(UnknownAttributes.class).orElseThrow().types())
                .containsExactly(0x0002);
    }

    @Test
    void changeRequestWeCannotHonour() throws Exception {
        InetSocketAddress from = addr("192.0.2.1", 1);
        StunMessage noChange =
                new StunMessage(StunMessageType.BINDING_REQUEST, TXID, List.of(new ChangeRequest(false, false)), false);
        assertThat(respond(noChange, from)).isEqualTo(Disposition.SUCCESS);

        StunMessage change =
                new StunMessage(StunMessageType.BINDING_REQUEST, TXID, List.of(new ChangeRequest(true, true)), false);
        assertThat(respond(change, from)).isEqualTo(Disposition.ERROR);
        assertThat(response().attribute(UnknownAttributes.class).orElseThrow().types())
                .containsExactly(0x0003);

        TransactionId classic = new TransactionId(new byte[16]);
        StunMessage classicChange = new StunMessage(
                StunMessageType.BINDING_REQUEST, classic, List.of(new ChangeRequest(false, true)), false);
        assertThat(respond(classicChange, from)).isEqualTo(Disposition.IGNORED);
    }

    @Test
    void onlyBindingRequestsAreAnswered() throws Exception {
        InetSocketAddress from = addr("192.0.2.1", 1);
        for (StunMessageType t : List.of(
                StunMessageType.BINDING_INDICATION,
                StunMessageType.BINDING_SUCCESS,
                StunMessageType.BINDING_ERROR,
                new StunMessageType(0x003, StunClass.REQUEST))) {
            assertThat(respond(new StunMessage(t, TXID, List.of(), false), from))
                    .isEqualTo(Disposition.IGNORED);
        }
        assertThat(responder.respond(ByteBuffer.wrap(new byte[] {1, 2, 3}), from, out))
                .isEqualTo(Disposition.MALFORMED);
        byte[] badFingerprint = Rfc5769.REQUEST.clone();
        badFingerprint[badFingerprint.length - 1]++;
        assertThat(responder.respond(ByteBuffer.wrap(badFingerprint), from, out))
                .isEqualTo(Disposition.MALFORMED);
    }

    @Test
    void withoutSoftwareTheResponseIsMinimal() throws Exception {
        BindingResponder bare = new BindingResponder("");
        assertThat(bare.respond(StunCodec.encode(StunMessage.bindingRequest(TXID)), addr("192.0.2.1", 9), out))
                .isEqualTo(Disposition.SUCCESS);
        assertThat(out.remaining()).isEqualTo(20 + 12);
    }
}
