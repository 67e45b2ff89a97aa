package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Feeds the parser (and the server's responder) random and mutated datagrams for a couple of seconds and asserts
 * that nothing throws, and that every message it accepts survives encode → decode unchanged. Reproduce a failure
 * with {@code -Dstun.fuzz.seed=<seed printed in the failure>}; run longer with {@code -Dstun.fuzz.seconds=60}.
 */
class StunFuzzTest {
    private static final InetSocketAddress FROM = new InetSocketAddress(RandomMessages.loopback(), 40000);

    private final BindingResponder responder = new BindingResponder("fuzz");
    private final ByteBuffer out = ByteBuffer.allocate(StunCodec.MAX_DATAGRAM);
    private long parsed;
    private long checked;

    @Test
    void parserNeverThrowsAndAcceptedMessagesRoundTrip() {
        long seed = Long.getLong("stun.fuzz.seed", System.nanoTime());
        double seconds = Double.parseDouble(System.getProperty("stun.fuzz.seconds", "2"));
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> corpus = new ArrayList<>(
                List.of(Rfc5769.REQUEST, Rfc5769.RESPONSE_IPV4, Rfc5769.RESPONSE_IPV6, Rfc5769.REQUEST_LONG_TERM));
        for (int i = 0; i < 200; i++) {
            corpus.add(toBytes(StunCodec.encode(RandomMessages.next(r))));
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) {
                byte[] input = switch (r.nextInt(4)) {
                    case 0 -> randomBytes(r);
                    case 1 -> toBytes(StunCodec.encode(RandomMessages.next(r)));
                    default -> mutate(r, corpus.get(r.nextInt(corpus.size())));
                };
                check(seed, input);
            }
        }
        System.out.printf("STUN fuzz: seed %d, %d inputs, %d accepted by the parser%n", seed, checked, parsed);
        assertThat(checked).as("inputs tried").isGreaterThan(10_000);
        assertThat(parsed)
                .as("inputs accepted (the mutator must reach the attribute parser)")
                .isGreaterThan(checked / 20);
    }

    private void check(long seed, byte[] input) {
        checked++;
        try {
            StunParseResult result = StunCodec.decode(input);
            StunCodec.looksLikeStun(ByteBuffer.wrap(input));
            responder.respond(ByteBuffer.wrap(input), FROM, out);
            if (result instanceof StunParseResult.Parsed(StunMessage m)) {
                parsed++;
                StunParseResult again = StunCodec.decode(StunCodec.encode(m));
                if (!(again instanceof StunParseResult.Parsed(StunMessage m2)) || !m2.equals(m)) {
                    fail("round trip changed the message (seed " + seed + "): "
                            + HexFormat.of().formatHex(input) + "\n" + m + "\n" + again);
                }
            }
        } catch (Throwable t) {
            throw new AssertionError(
                    "seed " + seed + ", input " + HexFormat.of().formatHex(input), t);
        }
    }

    private static byte[] randomBytes(SplittableRandom r) {
        byte[] b = new byte[r.nextInt(r.nextBoolean() ? 24 : 600)];
        r.nextBytes(b);
        if (b.length >= 20 && r.nextBoolean()) {
            b[0] &= 0x3F;
            ByteBuffer.wrap(b).putShort(2, (short) ((b.length - 20) & ~3)).putInt(4, StunCodec.MAGIC_COOKIE);
        }
        return b;
    }

    /** Structure-aware mutations, then (usually) a fixed-up header length and FINGERPRINT so the input goes deep. */
    private static byte[] mutate(SplittableRandom r, byte[] seed) {
        byte[] b = seed.clone();
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            switch (r.nextInt(7)) {
                case 0 -> { // flip a bit
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> { // interesting byte
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, 0x01, 0x02, 0x20}[r.nextInt(7)];
                    }
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 3 -> { // append an attribute with an arbitrary type and length field
                    int len = r.nextInt(24);
                    ByteBuffer extra = ByteBuffer.allocate(4 + ((len + 3) & ~3));
                    extra.putShort((short) interestingType(r))
                            .putShort((short) (r.nextInt(8) == 0 ? r.nextInt(0x10000) : len));
                    byte[] v = new byte[extra.remaining()];
                    r.nextBytes(v);
                    extra.put(v);
                    b = concat(b, extra.array());
                }
                case 4 -> { // rewrite an attribute length field somewhere after the header
                    if (b.length > 24) {
                        int at = 20 + 4 * r.nextInt((b.length - 20) / 4);
                        ByteBuffer.wrap(b).putShort(Math.min(at + 2, b.length - 2), (short) r.nextInt(64));
                    }
                }
                case 5 -> { // duplicate a chunk (repeated attributes)
                    if (b.length > 24) {
                        int from = 20 + 4 * r.nextInt((b.length - 20) / 4);
                        int len = Math.min(4 * (1 + r.nextInt(6)), b.length - from);
                        b = concat(b, Arrays.copyOfRange(b, from, from + len));
                    }
                }
                default -> { // change the type
                    if (b.length > 1) {
                        b[0] = (byte) (r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(0x40));
                        b[1] = (byte) r.nextInt(256);
                    }
                }
            }
        }
        if (b.length >= 20 && r.nextInt(4) != 0) {
            ByteBuffer.wrap(b).putShort(2, (short) (b.length - 20));
            if (r.nextBoolean()) {
                b = withFreshFingerprint(b);
            }
        }
        return b;
    }

    private static int interestingType(SplittableRandom r) {
        int[] types = {0x0001, 0x0003, 0x0009, 0x000A, 0x0020, 0x8022, 0x8028, 0x0024, 0x8029, 0x0006, 0x0008};
        return r.nextInt(3) == 0 ? r.nextInt(0x10000) : types[r.nextInt(types.length)];
    }

    private static byte[] withFreshFingerprint(byte[] b) {
        byte[] f = Arrays.copyOf(b, (b.length & ~3) + 8);
        ByteBuffer bb = ByteBuffer.wrap(f);
        bb.putShort(2, (short) (f.length - 20));
        CRC32 crc = new CRC32();
        crc.update(f, 0, f.length - 8);
        bb.putShort(f.length - 8, (short) AttributeType.FINGERPRINT)
                .putShort(f.length - 6, (short) 4)
                .putInt(f.length - 4, (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR);
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] toBytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
