package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class StunCodecTest {
    private static final TransactionId RFC_TXID = new TransactionId(Rfc5769.TRANSACTION_ID);

    private static StunMessage parse(byte[] b) {
        StunParseResult r = StunCodec.decode(b);
        assertThat(r).isInstanceOf(StunParseResult.Parsed.class);
        return ((StunParseResult.Parsed) r).message();
    }

    private static String invalidReason(byte[] b) {
        StunParseResult r = StunCodec.decode(b);
        assertThat(r).isInstanceOf(StunParseResult.Invalid.class);
        return ((StunParseResult.Invalid) r).reason();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    // ---- RFC 5769 vectors ----

    @Test
    void rfc5769SampleRequest() {
        StunMessage m = parse(Rfc5769.REQUEST);
        assertThat(m.type()).isEqualTo(StunMessageType.BINDING_REQUEST);
        assertThat(m.transactionId()).isEqualTo(RFC_TXID);
        assertThat(m.isClassic()).isFalse();
        assertThat(m.fingerprint()).isTrue();
        assertThat(m.attributes())
                .extracting(StunAttribute::type)
                .containsExactly(0x8022, 0x0024, 0x8029, 0x0006, 0x0008);
        assertThat(m.attribute(Software.class)).contains(new Software("STUN test client"));
        assertThat(m.attributes().get(3))
                .isEqualTo(new OpaqueAttribute(AttributeType.USERNAME, "evtj:h6vY".getBytes(StandardCharsets.UTF_8)));
        assertThat(((OpaqueAttribute) m.attributes().get(4)).value()).hasSize(20);
    }

    @Test
    void rfc5769Ipv4Response() throws Exception {
        StunMessage m = parse(Rfc5769.RESPONSE_IPV4);
        assertThat(m.type()).isEqualTo(StunMessageType.BINDING_SUCCESS);
        assertThat(m.fingerprint()).isTrue();
        assertThat(m.attribute(Software.class)).contains(new Software("test vector"));
        assertThat(m.attribute(XorMappedAddress.class).orElseThrow().address())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
    }

    @Test
    void rfc5769Ipv6Response() throws Exception {
        StunMessage m = parse(Rfc5769.RESPONSE_IPV6);
        assertThat(m.attribute(XorMappedAddress.class).orElseThrow().address())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
    }

    @Test
    void rfc5769LongTermRequestHasNoFingerprint() {
        StunMessage m = parse(Rfc5769.REQUEST_LONG_TERM);
        assertThat(m.fingerprint()).isFalse();
        assertThat(m.attributes()).extracting(StunAttribute::type).containsExactly(0x0006, 0x0015, 0x0014, 0x0008);
        assertThat(new String(((OpaqueAttribute) m.attributes().get(0)).value(), StandardCharsets.UTF_8))
                .isEqualTo("マトリックス");
    }

    @Test
    void encoderProducesTheRfcXorMappedAddressBytes() throws Exception {
        // Our encoder pads with zeros (the RFC's vectors pad with spaces), so compare the XOR-MAPPED-ADDRESS bytes.
        for (var v : List.of(
                new Object[] {"192.0.2.1", Rfc5769.RESPONSE_IPV4, 36, 12},
                new Object[] {"2001:db8:1234:5678:11:2233:4455:6677", Rfc5769.RESPONSE_IPV6, 36, 24})) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName((String) v[0]), 32853);
            StunMessage m =
                    new StunMessage(StunMessageType.BINDING_SUCCESS, RFC_TXID, List.of(new XorMappedAddress(a)), false);
            byte[] encoded = bytes(StunCodec.encode(m));
            byte[] rfc = (byte[]) v[1];
            int at = (int) v[2];
            int len = (int) v[3];
            assertThat(Arrays.copyOfRange(encoded, 20, 20 + len)).isEqualTo(Arrays.copyOfRange(rfc, at, at + len));
        }
    }

    @Test
    void fingerprintIsCrc32XorStun() {
        byte[] r = Rfc5769.REQUEST;
        CRC32 crc = new CRC32();
        crc.update(r, 0, r.length - 8);
        assertThat((int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR).isEqualTo(0xe57a3bcf);
    }

    @Test
    void encodedFingerprintMatchesAnIndependentCrc() {
        StunMessage m = new StunMessage(StunMessageType.BINDING_REQUEST, RFC_TXID, List.of(new Software("abc")), true);
        byte[] b = bytes(StunCodec.encode(m));
        assertThat(b).hasSize(20 + 8 + 8);
        assertThat(Arrays.copyOfRange(b, 24, 28)).containsExactly('a', 'b', 'c', 0);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        int expected = (int) crc.getValue() ^ 0x5354554e;
        assertThat(ByteBuffer.wrap(b, b.length - 8, 8).getInt()).isEqualTo(0x80280004);
        assertThat(ByteBuffer.wrap(b, b.length - 4, 4).getInt()).isEqualTo(expected);
        assertThat(ByteBuffer.wrap(b, 2, 2).getShort()).isEqualTo((short) 16);
    }

    @Test
    void corruptedFingerprintOrBodyIsRejected() {
        byte[] b = Rfc5769.RESPONSE_IPV4.clone();
        b[b.length - 1] ^= 1;
        assertThat(invalidReason(b)).contains("FINGERPRINT");
        byte[] body = Rfc5769.RESPONSE_IPV4.clone();
        body[30] ^= 0x40; // inside SOFTWARE: still well-formed, but the CRC no longer matches
        assertThat(invalidReason(body)).contains("FINGERPRINT");
    }

    @Test
    void decodedRfcMessagesReencodeToEqualMessages() {
        for (byte[] v :
                List.of(Rfc5769.REQUEST, Rfc5769.RESPONSE_IPV4, Rfc5769.RESPONSE_IPV6, Rfc5769.REQUEST_LONG_TERM)) {
            StunMessage m = parse(v);
            ByteBuffer encoded = StunCodec.encode(m);
            assertThat(encoded.remaining()).isEqualTo(v.length);
            assertThat(parse(bytes(encoded))).isEqualTo(m);
        }
    }

    // ---- header ----

    @Test
    void messageTypeInterleavesMethodAndClass() {
        assertThat(StunMessageType.BINDING_REQUEST.code()).isEqualTo(0x0001);
        assertThat(StunMessageType.BINDING_INDICATION.code()).isEqualTo(0x0011);
        assertThat(StunMessageType.BINDING_SUCCESS.code()).isEqualTo(0x0101);
        assertThat(StunMessageType.BINDING_ERROR.code()).isEqualTo(0x0111);
        assertThat(new StunMessageType(0x003, StunClass.REQUEST).code()).isEqualTo(0x0003); // TURN Allocate
        assertThat(new StunMessageType(0xFFF, StunClass.ERROR_RESPONSE).code()).isEqualTo(0x3FFF);
        for (int code = 0; code <= 0x3FFF; code++) {
            assertThat(StunMessageType.fromCode(code).code()).isEqualTo(code);
        }
        assertThatThrownBy(() -> StunMessageType.fromCode(0x4001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classicRfc3489RequestHas128BitTransactionId() {
        byte[] b = Rfc5769.hex("00 01 00 08 0102030405060708090a0b0c0d0e0f10 0003 0004 00000000");
        StunMessage m = parse(b);
        assertThat(m.isClassic()).isTrue();
        assertThat(m.transactionId().bytes()).hasSize(16).startsWith(1, 2, 3, 4);
        assertThat(m.attribute(ChangeRequest.class)).contains(new ChangeRequest(false, false));
        StunMessage response = new StunMessage(
                StunMessageType.BINDING_SUCCESS,
                m.transactionId(),
                List.of(new MappedAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4242))),
                false);
        byte[] encoded = bytes(StunCodec.encode(response));
        assertThat(encoded)
                .startsWith(Rfc5769.hex("0101 000c 0102030405060708090a0b0c0d0e0f10 0001 0008 0001 1092 7f000001"));
        assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(encoded))).isFalse();
        assertThatThrownBy(() -> new StunMessage(StunMessageType.BINDING_SUCCESS, m.transactionId(), List.of(), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedHeadersAndAttributesAreInvalidNotExceptions() {
        assertThat(invalidReason(new byte[19])).contains("shorter");
        assertThat(invalidReason(Rfc5769.hex("c001 0000 2112a442 000000000000000000000000")))
                .contains("top two bits");
        assertThat(invalidReason(Rfc5769.hex("0001 0004 2112a442 000000000000000000000000")))
                .contains("does not match");
        assertThat(invalidReason(Rfc5769.hex("0001 0002 2112a442 000000000000000000000000 0000")))
                .contains("multiple of 4");
        String header = "0001 0008 2112a442 000000000000000000000000 ";
        assertThat(invalidReason(Rfc5769.hex(header + "8022 0005 61626364"))).contains("overruns");
        assertThat(invalidReason(Rfc5769.hex(header + "0001 0004 0003 0000"))).contains("family");
        assertThat(invalidReason(Rfc5769.hex(header + "0020 0004 0001 0000"))).contains("must be 8");
        assertThat(invalidReason(Rfc5769.hex(header + "0009 0004 0000 0764"))).contains("ERROR-CODE");
        assertThat(invalidReason(Rfc5769.hex(header + "000a 0003 0001 0200"))).contains("odd");
        assertThat(invalidReason(Rfc5769.hex(header + "0003 0002 0000 0000"))).contains("CHANGE-REQUEST");
        assertThat(invalidReason(
                        Rfc5769.hex("0001 000c 2112a442 000000000000000000000000 8028 0004 00000000 80220000")))
                .contains("FINGERPRINT");
        // a valid FINGERPRINT (over a header that already counts the extra attribute), then SOFTWARE after it
        byte[] extended = Rfc5769.hex("0001 000c 2112a442 000000000000000000000000 8028 0004 00000000 8022 0000");
        CRC32 crc = new CRC32();
        crc.update(extended, 0, 20);
        ByteBuffer.wrap(extended).putInt(24, (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR);
        assertThat(invalidReason(extended)).contains("after FINGERPRINT");
    }

    @Test
    void paddingIsZeroOnTheWireAndIgnoredOnReceipt() {
        StunMessage m =
                new StunMessage(StunMessageType.BINDING_REQUEST, RFC_TXID, List.of(new Software("hello")), false);
        byte[] b = bytes(StunCodec.encode(m));
        assertThat(b).hasSize(20 + 4 + 8);
        assertThat(Arrays.copyOfRange(b, 24, 32)).containsExactly('h', 'e', 'l', 'l', 'o', 0, 0, 0);
        b[31] = (byte) 0xAA;
        assertThat(parse(b)).isEqualTo(m);
    }

    @Test
    void errorResponseWithUnknownAttributesRoundTrips() {
        StunMessage m = new StunMessage(
                StunMessageType.BINDING_ERROR,
                RFC_TXID,
                List.of(
                        new ErrorCode(420, "Unknown Attribute"),
                        new UnknownAttributes(List.of(0x0024, 0x0003, 0x7fff))),
                true);
        byte[] b = bytes(StunCodec.encode(m));
        assertThat(Arrays.copyOfRange(b, 20, 28)).isEqualTo(Rfc5769.hex("0009 0015 0000 0414"));
        assertThat(parse(b)).isEqualTo(m);
    }

    @Test
    void ipv4MappedIpv6AddressKeepsItsFamily() throws Exception {
        InetAddress mapped = Addresses.fromBytes(Rfc5769.hex("00000000000000000000ffffc0000201"));
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        StunMessage m = new StunMessage(
                StunMessageType.BINDING_SUCCESS,
                RFC_TXID,
                List.of(
                        new XorMappedAddress(new InetSocketAddress(mapped, 1)),
                        new MappedAddress(new InetSocketAddress(mapped, 2))),
                false);
        byte[] b = bytes(StunCodec.encode(m));
        assertThat(b[25]).isEqualTo((byte) 0x02);
        assertThat(parse(b)).isEqualTo(m);
    }

    @Test
    void decodeReadsBetweenPositionAndLimitAndLeavesTheBufferAlone() {
        byte[] framed = new byte[Rfc5769.RESPONSE_IPV4.length + 10];
        System.arraycopy(Rfc5769.RESPONSE_IPV4, 0, framed, 7, Rfc5769.RESPONSE_IPV4.length);
        ByteBuffer b = ByteBuffer.wrap(framed)
                .position(7)
                .limit(7 + Rfc5769.RESPONSE_IPV4.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(StunCodec.decode(b)).isInstanceOf(StunParseResult.Parsed.class);
        assertThat(StunCodec.looksLikeStun(b)).isTrue();
        assertThat(b.position()).isEqualTo(7);
        assertThat(b.limit()).isEqualTo(7 + Rfc5769.RESPONSE_IPV4.length);
        assertThat(StunCodec.decode(framed, 7, Rfc5769.RESPONSE_IPV4.length)).isEqualTo(StunCodec.decode(b));
        ByteBuffer direct =
                ByteBuffer.allocateDirect(200).order(ByteOrder.LITTLE_ENDIAN).position(3);
        StunCodec.encode(parse(Rfc5769.RESPONSE_IPV6), direct);
        assertThat(StunCodec.decode(direct.flip().position(3))).isInstanceOf(StunParseResult.Parsed.class);
    }

    @Test
    void encodeRejectsTooSmallBuffers() {
        StunMessage m = parse(Rfc5769.REQUEST);
        assertThatThrownBy(() -> StunCodec.encode(m, ByteBuffer.allocate(50)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 108");
    }

    // ---- demultiplexing from a shared (WireGuard) socket ----

    @Test
    void looksLikeStunSeparatesStunFromWireGuard() {
        assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(Rfc5769.REQUEST))).isTrue();
        assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(Rfc5769.hex("0001 0000 2112a442 000000000000000000000000"))))
                .isTrue();
        // classic RFC 3489 (no cookie): not for the WireGuard socket's STUN client
        assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(Rfc5769.hex("0001 0000 " + "00".repeat(16)))))
                .isFalse();
        // WireGuard: type byte 1..4, three reserved zero bytes, then a 32-bit index - even one equal to the cookie
        for (int type = 1; type <= 4; type++) {
            for (int size : new int[] {32, 64, 92, 148}) {
                byte[] wg = new byte[size];
                wg[0] = (byte) type;
                ByteBuffer.wrap(wg).putInt(4, StunCodec.MAGIC_COOKIE);
                assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(wg))).isFalse();
            }
        }
        assertThat(StunCodec.looksLikeStun(ByteBuffer.wrap(new byte[12]))).isFalse();
    }
}
