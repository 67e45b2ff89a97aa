package io.nexodus.netstack;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Coverage-guided fuzzing (Jazzer) of the stack's one entry point for untrusted bytes, {@link NetStack#input}, with
 * a listener, a UDP socket and whatever connections the inputs open. In {@code ./mvnw verify} it runs for a few
 * seconds (see the pom); a plain unit test run replays the committed inputs under src/test/resources only.
 */
class NetStackFuzzTest {
    private static final ManualTicker CLOCK = new ManualTicker();
    private static final List<byte[]> OUT = new ArrayList<>();
    private static final NetStack STACK = new NetStack(
            NetStackConfig.defaults(List.of(PacketCodecTest.A4, PacketCodecTest.A6))
                    .withMaxConnections(256),
            p -> {
                if (OUT.size() < 1000) {
                    OUT.add(p);
                }
            },
            CLOCK,
            new SplittableRandom(1));

    static {
        try {
            STACK.listen(80, 32);
            STACK.openUdp(53);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Any bytes as an IP packet. The last byte's low bit asks for the checksums to be fixed first (so mutations get
     * past them into the TCP state machine), its next bits move time (0-700 ms, so timers fire). Nothing may escape
     * and nothing may count as an internal error.
     */
    @FuzzTest(maxDuration = "10s")
    void inputArbitraryPackets(byte[] packet) {
        if (packet.length > 0) {
            int ctl = packet[packet.length - 1] & 0xff;
            packet = Arrays.copyOf(packet, packet.length - 1);
            if ((ctl & 1) == 1) {
                MalformedInputTest.fixChecksums(packet);
            }
            CLOCK.advance(Duration.ofMillis(100L * ((ctl >>> 1) & 7)));
            STACK.advance();
        }
        STACK.input(packet, 0, packet.length);
        OUT.clear();
        long internal = STACK.stats().drops(DropReason.INTERNAL);
        if (internal != 0) {
            throw new AssertionError(internal + " internal errors");
        }
    }
}
