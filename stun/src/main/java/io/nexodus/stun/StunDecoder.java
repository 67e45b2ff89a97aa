package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Decodes one datagram into a {@link StunMessage}. Every check is explicit and every failure is an
 * {@link StunParseResult.Invalid}: no input, however hostile, makes it throw. Reads with absolute indexes only, so the
 * caller's buffer (position, limit, byte order) is left untouched.
 */
final class StunDecoder {
    private final ByteBuffer buf;
    private final int base;
    private final int size;

    private StunDecoder(ByteBuffer buf) {
        this.buf = buf;
        this.base = buf.position();
        this.size = buf.remaining();
    }

    static StunParseResult decode(ByteBuffer datagram) {
        return new StunDecoder(datagram).decode();
    }

    /** The cheap demultiplexing test: see {@link StunCodec#looksLikeStun(ByteBuffer)}. */
    static boolean looksLikeModernStun(ByteBuffer b) {
        int p = b.position();
        int n = b.remaining();
        if (n < StunCodec.HEADER_LENGTH || (b.get(p) & 0xC0) != 0) {
            return false;
        }
        int length = ((b.get(p + 2) & 0xFF) << 8) | (b.get(p + 3) & 0xFF);
        return length + StunCodec.HEADER_LENGTH == n
                && (length & 3) == 0
                && readInt(b, p + 4) == StunCodec.MAGIC_COOKIE;
    }

    private StunParseResult decode() {
        if (size < StunCodec.HEADER_LENGTH) {
            return invalid("shorter than a STUN header (" + size + " bytes)");
        }
        int rawType = u16(0);
        if ((rawType & 0xC000) != 0) {
            return invalid("top two bits of the message type are not zero");
        }
        int length = u16(2);
        if (length + StunCodec.HEADER_LENGTH != size) {
            return invalid("message length " + length + " does not match the " + size + "-byte datagram");
        }
        if ((length & 3) != 0) {
            return invalid("message length " + length + " is not a multiple of 4");
        }
        boolean classic = i32(4) != StunCodec.MAGIC_COOKIE;
        byte[] id = new byte[classic ? TransactionId.CLASSIC_LENGTH : TransactionId.LENGTH];
        buf.get(base + (classic ? 4 : 8), id);
        TransactionId txid = new TransactionId(id);
        StunMessageType type = StunMessageType.fromCode(rawType);

        List<StunAttribute> attributes = new ArrayList<>();
        boolean fingerprint = false;
        int pos = StunCodec.HEADER_LENGTH;
        while (pos < size) {
            if (fingerprint) {
                return invalid("attribute after FINGERPRINT");
            }
            if (size - pos < 4) {
                return invalid("truncated attribute header at offset " + pos);
            }
            int attrType = u16(pos);
            int attrLength = u16(pos + 2);
            int value = pos + 4;
            int padded = (attrLength + 3) & ~3;
            if (padded > size - value) {
                return invalid(
                        String.format("attribute 0x%04x of %d bytes overruns the message", attrType, attrLength));
            }
            if (!classic && attrType == AttributeType.FINGERPRINT) {
                if (attrLength != 4) {
                    return invalid("FINGERPRINT must be 4 bytes, not " + attrLength);
                }
                if (i32(value) != fingerprintOf(pos)) {
                    return invalid("FINGERPRINT does not match the message");
                }
                fingerprint = true;
            } else {
                Object attribute = attribute(attrType, value, attrLength, txid, classic);
                if (attribute instanceof String problem) {
                    return invalid(problem);
                }
                attributes.add((StunAttribute) attribute);
            }
            pos = value + padded;
        }
        return new StunParseResult.Parsed(new StunMessage(type, txid, attributes, fingerprint));
    }

    /** CRC-32 of the message up to (not including) the FINGERPRINT attribute at {@code at}, XOR 0x5354554e. */
    private int fingerprintOf(int at) {
        CRC32 crc = new CRC32();
        crc.update(buf.duplicate().limit(base + at).position(base));
        return (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR;
    }

    /** Returns the attribute, or a String describing why its value is malformed. */
    private Object attribute(int type, int at, int length, TransactionId txid, boolean classic) {
        return switch (type) {
            case AttributeType.MAPPED_ADDRESS -> {
                Object a = address(at, length, null);
                yield a instanceof InetSocketAddress isa ? new MappedAddress(isa) : a;
            }
            case AttributeType.XOR_MAPPED_ADDRESS -> {
                if (classic) {
                    yield new OpaqueAttribute(type, bytes(at, length));
                }
                Object a = address(at, length, txid);
                yield a instanceof InetSocketAddress isa ? new XorMappedAddress(isa) : a;
            }
            case AttributeType.SOFTWARE -> new Software(utf8(at, length));
            case AttributeType.ERROR_CODE -> errorCode(at, length);
            case AttributeType.UNKNOWN_ATTRIBUTES -> {
                if ((length & 1) != 0) {
                    yield "UNKNOWN-ATTRIBUTES has an odd length " + length;
                }
                List<Integer> types = new ArrayList<>(length / 2);
                for (int i = 0; i < length; i += 2) {
                    types.add(u16(at + i));
                }
                yield new UnknownAttributes(types);
            }
            case AttributeType.CHANGE_REQUEST -> {
                if (length != 4) {
                    yield "CHANGE-REQUEST must be 4 bytes, not " + length;
                }
                int flags = buf.get(base + at + 3);
                yield new ChangeRequest(
                        (flags & ChangeRequest.CHANGE_IP) != 0, (flags & ChangeRequest.CHANGE_PORT) != 0);
            }
            default -> new OpaqueAttribute(type, bytes(at, length));
        };
    }

    /** (XOR-)MAPPED-ADDRESS value; {@code xorWith} null means plain. */
    private Object address(int at, int length, TransactionId xorWith) {
        if (length < 4) {
            return "address attribute shorter than 4 bytes";
        }
        int family = buf.get(base + at + 1) & 0xFF;
        int addrLength = switch (family) {
            case 0x01 -> 4;
            case 0x02 -> 16;
            default -> -1;
        };
        if (addrLength < 0) {
            return "unknown address family " + family;
        }
        if (length != 4 + addrLength) {
            return "address attribute of family " + family + " must be " + (4 + addrLength) + " bytes, not " + length;
        }
        int port = u16(at + 2);
        byte[] raw = bytes(at + 4, addrLength);
        if (xorWith != null) {
            port ^= StunCodec.MAGIC_COOKIE >>> 16;
            xorAddress(raw, xorWith);
        }
        return new InetSocketAddress(Addresses.fromBytes(raw), port);
    }

    /** XORs an address with the magic cookie (IPv4) or cookie + transaction id (IPv6); its own inverse. */
    static void xorAddress(byte[] raw, TransactionId txid) {
        for (int i = 0; i < raw.length; i++) {
            int key = i < 4 ? (StunCodec.MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : txid.byteAt(i - 4) & 0xFF;
            raw[i] ^= (byte) key;
        }
    }

    private Object errorCode(int at, int length) {
        if (length < 4) {
            return "ERROR-CODE shorter than 4 bytes";
        }
        int errorClass = buf.get(base + at + 2) & 0x07;
        int number = buf.get(base + at + 3) & 0xFF;
        if (errorClass < 3 || errorClass > 6 || number > 99) {
            return "ERROR-CODE class " + errorClass + " number " + number + " is out of range";
        }
        return new ErrorCode(errorClass * 100 + number, utf8(at + 4, length - 4));
    }

    private String utf8(int at, int length) {
        return new String(bytes(at, length), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int at, int length) {
        byte[] b = new byte[length];
        buf.get(base + at, b);
        return b;
    }

    private int u16(int at) {
        return ((buf.get(base + at) & 0xFF) << 8) | (buf.get(base + at + 1) & 0xFF);
    }

    private int i32(int at) {
        return readInt(buf, base + at);
    }

    private static int readInt(ByteBuffer b, int abs) {
        return ((b.get(abs) & 0xFF) << 24)
                | ((b.get(abs + 1) & 0xFF) << 16)
                | ((b.get(abs + 2) & 0xFF) << 8)
                | (b.get(abs + 3) & 0xFF);
    }

    private static StunParseResult invalid(String reason) {
        return new StunParseResult.Invalid(reason);
    }
}
