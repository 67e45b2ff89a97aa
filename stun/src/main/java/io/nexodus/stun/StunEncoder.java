package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Encodes a {@link StunMessage}: header, attributes padded to 4 bytes with zeros, and FINGERPRINT last when the
 * message asks for it. Writes with absolute indexes in big-endian order whatever the buffer's byte order.
 */
final class StunEncoder {
    private StunEncoder() {}

    static int encodedLength(StunMessage m) {
        int length = StunCodec.HEADER_LENGTH;
        for (StunAttribute a : m.attributes()) {
            length += 4 + padded(valueLength(a));
        }
        return length + (m.fingerprint() ? 8 : 0);
    }

    /** Writes {@code m} at {@code out}'s position, advances it, and returns the number of bytes written. */
    static int encode(StunMessage m, ByteBuffer out) {
        int length = encodedLength(m);
        if (length - StunCodec.HEADER_LENGTH > 0xFFFF) {
            throw new IllegalArgumentException("message too long for STUN: " + length + " bytes");
        }
        if (out.remaining() < length) {
            throw new IllegalArgumentException("buffer has " + out.remaining() + " bytes, message needs " + length);
        }
        int start = out.position();
        put16(out, start, m.type().code());
        put16(out, start + 2, length - StunCodec.HEADER_LENGTH);
        TransactionId txid = m.transactionId();
        int at = start + 4;
        if (!txid.isClassic()) {
            put32(out, at, StunCodec.MAGIC_COOKIE);
            at += 4;
        }
        for (int i = 0; i < txid.length(); i++) {
            out.put(at++, txid.byteAt(i));
        }
        for (StunAttribute a : m.attributes()) {
            at = attribute(out, at, a, txid);
        }
        if (m.fingerprint()) {
            CRC32 crc = new CRC32();
            crc.update(out.duplicate().limit(at).position(start));
            put16(out, at, AttributeType.FINGERPRINT);
            put16(out, at + 2, 4);
            put32(out, at + 4, (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR);
            at += 8;
        }
        out.position(at);
        return at - start;
    }

    private static int attribute(ByteBuffer out, int at, StunAttribute a, TransactionId txid) {
        int valueLength = valueLength(a);
        put16(out, at, a.type());
        put16(out, at + 2, valueLength);
        int v = at + 4;
        switch (a) {
            case MappedAddress(InetSocketAddress address) -> address(out, v, address, null);
            case XorMappedAddress(InetSocketAddress address) -> address(out, v, address, txid);
            case Software(String description) -> out.put(v, description.getBytes(StandardCharsets.UTF_8));
            case ErrorCode(int code, String reason) -> {
                put16(out, v, 0);
                out.put(v + 2, (byte) (code / 100));
                out.put(v + 3, (byte) (code % 100));
                out.put(v + 4, reason.getBytes(StandardCharsets.UTF_8));
            }
            case UnknownAttributes(var types) -> {
                for (int i = 0; i < types.size(); i++) {
                    put16(out, v + 2 * i, types.get(i));
                }
            }
            case ChangeRequest c ->
                put32(
                        out,
                        v,
                        (c.changeIp() ? ChangeRequest.CHANGE_IP : 0)
                                | (c.changePort() ? ChangeRequest.CHANGE_PORT : 0));
            case OpaqueAttribute o -> out.put(v, o.valueUnsafe());
        }
        int end = v + padded(valueLength);
        for (int i = v + valueLength; i < end; i++) {
            out.put(i, (byte) 0);
        }
        return end;
    }

    private static void address(ByteBuffer out, int at, InetSocketAddress address, TransactionId xorWith) {
        byte[] raw = address.getAddress().getAddress();
        int port = address.getPort();
        if (xorWith != null) {
            port ^= StunCodec.MAGIC_COOKIE >>> 16;
            StunDecoder.xorAddress(raw, xorWith);
        }
        out.put(at, (byte) 0);
        out.put(at + 1, (byte) (raw.length == 4 ? 0x01 : 0x02));
        put16(out, at + 2, port);
        out.put(at + 4, raw);
    }

    private static int valueLength(StunAttribute a) {
        int n = switch (a) {
            case MappedAddress(InetSocketAddress address) ->
                4 + address.getAddress().getAddress().length;
            case XorMappedAddress(InetSocketAddress address) ->
                4 + address.getAddress().getAddress().length;
            case Software(String description) -> utf8Length(description);
            case ErrorCode(int code, String reason) -> 4 + utf8Length(reason);
            case UnknownAttributes(var types) -> 2 * types.size();
            case ChangeRequest c -> 4;
            case OpaqueAttribute o -> o.length();
        };
        if (n > 0xFFFF) {
            throw new IllegalArgumentException(String.format("attribute 0x%04x too long: %d bytes", a.type(), n));
        }
        return n;
    }

    static int padded(int n) {
        return (n + 3) & ~3;
    }

    /** UTF-8 length as {@link String#getBytes} would produce it (unpaired surrogates become one '?' byte). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void put16(ByteBuffer out, int at, int v) {
        out.put(at, (byte) (v >>> 8));
        out.put(at + 1, (byte) v);
    }

    private static void put32(ByteBuffer out, int at, int v) {
        out.put(at, (byte) (v >>> 24));
        out.put(at + 1, (byte) (v >>> 16));
        out.put(at + 2, (byte) (v >>> 8));
        out.put(at + 3, (byte) v);
    }
}
