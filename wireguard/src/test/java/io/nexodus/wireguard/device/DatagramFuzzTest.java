package io.nexodus.wireguard.device;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.crypto.Blake2s;
import io.nexodus.wireguard.crypto.TransportCipher;
import java.time.Duration;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of a device's receive path, {@link Device#receive}, which classifies every datagram
 * from the network and parses handshake initiations, responses, cookie replies and transport messages. Device B of a
 * {@link DevicePair} with a live session receives each input as if from A's address. In {@code ./mvnw verify} it runs
 * for a few seconds (see the pom); a plain unit test run replays the committed inputs under src/test/resources only.
 * {@link ReceiveFuzzTest} is the seeded random fuzzer that runs with the unit tests.
 */
class DatagramFuzzTest {
    private static final DevicePair PAIR;
    private static final byte[] MAC1_KEY;

    static {
        try {
            PAIR = new DevicePair().connect();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        MAC1_KEY = Blake2s.hash(CookieChecker.LABEL_MAC1, PAIR.keyB.publicKey().toRaw());
        ensureSession();
    }

    /**
     * Any bytes as a datagram for B. The fuzzer cannot forge MACs, indexes or tags, so the last byte steers it past
     * them: bit 0 sets a correct mac1 on a handshake message, bit 1 puts B's current session index in the receiver
     * field, bit 2 encrypts a transport message's payload with the live session key (so the inner-packet checks are
     * reached), bit 3 puts B under load (the cookie paths), bits 4-6 move time 0-70 ms. Nothing may escape.
     */
    @FuzzTest(maxDuration = "10s")
    void receiveArbitraryDatagrams(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int ctl = input[input.length - 1] & 0xff;
        byte[] msg = Arrays.copyOf(input, input.length - 1);
        ensureSession();
        Keypair kp = PAIR.peerOf(PAIR.b).keypairs.current;
        int type = msg.length >= 4 ? Messages.le32(msg, 0) : 0;
        if ((ctl & 2) != 0 && kp != null) {
            int at = switch (type) {
                case Messages.TYPE_RESPONSE -> Messages.RESP_RECEIVER;
                case Messages.TYPE_COOKIE_REPLY -> Messages.COOKIE_RECEIVER;
                default -> Messages.DATA_RECEIVER;
            };
            if (msg.length >= at + 4) {
                Messages.putLe32(msg, at, kp.localIndex);
            }
        }
        if ((ctl & 4) != 0 && kp != null && type == Messages.TYPE_TRANSPORT && msg.length >= 16) {
            byte[] sealed = Arrays.copyOf(msg, msg.length + Messages.TAG_SIZE);
            new TransportCipher()
                    .seal(kp.receiveKey, Messages.le64(msg, Messages.DATA_COUNTER), sealed, 16, msg.length - 16);
            msg = sealed;
        }
        if ((ctl & 1) != 0) {
            int macAt = type == Messages.TYPE_INITIATION
                    ? Messages.INIT_MAC1
                    : type == Messages.TYPE_RESPONSE ? Messages.RESP_MAC1 : -1;
            if (macAt > 0 && msg.length >= macAt + 16) {
                System.arraycopy(Blake2s.mac(MAC1_KEY, msg, 0, macAt), 0, msg, macAt, 16);
            }
        }
        PAIR.b.handshakes.forceUnderLoad = (ctl & 8) != 0;
        PAIR.clock.advance(Duration.ofMillis(10L * ((ctl >>> 4) & 7)));
        if (msg.length > Messages.MAX_MESSAGE_SIZE) {
            return; // a UDP datagram cannot be longer
        }
        PacketBatch batch = new PacketBatch(1, Messages.MAX_MESSAGE_SIZE);
        System.arraycopy(msg, 0, batch.buffer(0), 0, msg.length);
        batch.set(0, 0, msg.length, PAIR.bindA.address);
        batch.count(1);
        PAIR.b.receive(batch);
        PAIR.deliver();
        PAIR.received(PAIR.a);
        PAIR.received(PAIR.b);
    }

    /** Keeps a session between A and B (time moves, so it expires and is renewed by traffic both ways). */
    private static void ensureSession() {
        PAIR.b.handshakes.forceUnderLoad = false;
        Keypair kp = PAIR.peerOf(PAIR.b).keypairs.current;
        if (kp != null
                && kp.ageNanos(PAIR.clock.nanoTime()) < Duration.ofSeconds(100).toNanos()) {
            return;
        }
        PAIR.send(PAIR.a, Packets.ip("10.0.0.1", "10.0.0.2", 100));
        PAIR.deliver();
        PAIR.send(PAIR.b, Packets.ip("10.0.0.2", "10.0.0.1", 100));
        PAIR.deliver();
        PAIR.received(PAIR.a);
        PAIR.received(PAIR.b);
    }
}
