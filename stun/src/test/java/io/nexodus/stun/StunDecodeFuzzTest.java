package io.nexodus.stun;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing (Jazzer) of the codec on received datagrams, through the same calls the server
 * ({@link BindingResponder#respond}) and the client ({@link StunCodec#looksLikeStun}, then {@link StunCodec#decode})
 * make. In {@code ./mvnw verify} it runs for a few seconds (see the pom); a plain unit test run replays the committed
 * inputs under src/test/resources only. {@link StunFuzzTest} is the seeded random fuzzer that runs with the unit
 * tests.
 */
class StunDecodeFuzzTest {
    private static final InetSocketAddress FROM = new InetSocketAddress(RandomMessages.loopback(), 40000);
    private static final BindingResponder RESPONDER = new BindingResponder("fuzz");
    private static final ByteBuffer OUT = ByteBuffer.allocate(StunCodec.MAX_DATAGRAM);

    /**
     * Any bytes as a datagram: decoding never throws; an accepted message encodes and decodes back to itself; the
     * responder never throws and its answer (if any) is a well-formed message; the demultiplexing test agrees with
     * the decoder on what is a modern STUN message.
     */
    @FuzzTest(maxDuration = "5s")
    void decodeArbitraryDatagrams(byte[] datagram) {
        StunParseResult result = StunCodec.decode(datagram);
        boolean looksLikeStun = StunCodec.looksLikeStun(ByteBuffer.wrap(datagram));
        if (result instanceof StunParseResult.Parsed(StunMessage m)) {
            if (!m.isClassic() && !looksLikeStun) {
                throw new AssertionError("decoded a modern message that the demultiplexer would not route: " + m);
            }
            StunParseResult again = StunCodec.decode(StunCodec.encode(m));
            if (!(again instanceof StunParseResult.Parsed(StunMessage m2)) || !m2.equals(m)) {
                throw new AssertionError("round trip changed " + m + " into " + again);
            }
        }
        BindingResponder.Disposition d = RESPONDER.respond(ByteBuffer.wrap(datagram), FROM, OUT);
        if ((d == BindingResponder.Disposition.SUCCESS || d == BindingResponder.Disposition.ERROR)
                && !(StunCodec.decode(OUT) instanceof StunParseResult.Parsed)) {
            throw new AssertionError("responder answered with a message the decoder rejects");
        }
    }
}
