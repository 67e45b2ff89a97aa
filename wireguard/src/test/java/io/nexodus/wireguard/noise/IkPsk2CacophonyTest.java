package io.nexodus.wireguard.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.X25519;
import io.nexodus.wireguard.crypto.ChaCha20Poly1305;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The {@code Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s} vector from the cacophony test suite (mcginty/snow,
 * tests/vectors/cacophony.txt). Only this one vector is embedded. Prologue "John Galt", one PSK, six messages: the
 * two handshake messages, then transport messages initiator→responder with T1 and responder→initiator with T2, nonces
 * 0, 0, 1, 1.
 */
class IkPsk2CacophonyTest {
    private static final HexFormat HEX = HexFormat.of();
    static final byte[] PROLOGUE = h("4a6f686e2047616c74");
    static final byte[] PSK = h("54686973206973206d7920417573747269616e20706572737065637469766521");
    static final byte[] INIT_STATIC = h("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1");
    static final byte[] INIT_EPHEMERAL = h("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
    static final byte[] RESP_STATIC = h("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893");
    static final byte[] RESP_EPHEMERAL = h("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
    static final String HANDSHAKE_HASH = "f5191b875290abcd41347ac3622d9679688a7e980229cb937ef748336cfde0e5";
    static final String[][] MESSAGES = {
        {
            "4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944001e21de9f98ddd8e2ad57527207feb56253c9c94a9e"
                    + "496782ecfcb2a75fbcaf1b52948cc48daefe660c62119ab5000980c84831215f2441eba616548e832985464cf17e51ee93109008"
                    + "399a21f7e13f"
        },
        {
            "4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843cb765f2caef0751b8f007572dab0322217755c0632f365"
                    + "717edbf34d33e87a"
        },
        {"462e20412e20486179656b", "8153ca9833bc3c1b91a7e66e5f4d4f5b59bf9e64c2f20d15f0bba7"},
        {"4361726c204d656e676572", "07af0c9c86e1b4e80f36b04ff7688d51141af3debd0332f0a705ef"},
        {"4a65616e2d426170746973746520536179", "6ab1467c0448cc78394494abaaf23afce0e234315d6e2624dcbfa8a21c1c4d073d"},
        {
            "457567656e2042f6686d20766f6e2042617765726b",
            "dfc346c0d2296ae6cf1acf6f12b8456a1dba228cf8d8b774aacf1c47fc53aa80ebc7a4c292"
        },
    };

    static byte[] h(String s) {
        return HEX.parseHex(s);
    }

    /** X25519 for the static-static lookup, which cannot throw checked exceptions (the vectors' keys are valid). */
    static byte[] dh(byte[] priv, byte[] pub) {
        try {
            return X25519.sharedSecret(priv, pub);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void reproducesTheCacophonyVectorFromBothSides() throws Exception {
        byte[] initPub = X25519.publicKey(INIT_STATIC);
        byte[] respPub = X25519.publicKey(RESP_STATIC);
        byte[] ssInit = X25519.sharedSecret(INIT_STATIC, respPub);

        SymmetricState initiator = IkPsk2.start(PROLOGUE, respPub);
        byte[] m1 = IkPsk2.writeMessage1(initiator, INIT_EPHEMERAL, initPub, respPub, ssInit, h(MESSAGES[0][0]));
        assertThat(HEX.formatHex(m1)).isEqualTo(MESSAGES[0][1]);

        SymmetricState responder = IkPsk2.start(PROLOGUE, respPub);
        IkPsk2.Message1 got = IkPsk2.readMessage1(
                responder,
                RESP_STATIC,
                m1,
                h(MESSAGES[0][0]).length,
                s -> Arrays.equals(s, initPub) ? dh(RESP_STATIC, s) : null);
        assertThat(got.initiatorStatic()).isEqualTo(initPub);
        assertThat(got.payload()).isEqualTo(h(MESSAGES[0][0]));

        byte[] m2 = IkPsk2.writeMessage2(
                responder, RESP_EPHEMERAL, got.initiatorEphemeral(), got.initiatorStatic(), PSK, h(MESSAGES[1][0]));
        assertThat(HEX.formatHex(m2)).isEqualTo(MESSAGES[1][1]);
        assertThat(IkPsk2.readMessage2(initiator, INIT_EPHEMERAL, INIT_STATIC, PSK, m2))
                .isEqualTo(h(MESSAGES[1][0]));

        assertThat(HEX.formatHex(initiator.hash())).isEqualTo(HANDSHAKE_HASH);
        assertThat(HEX.formatHex(responder.hash())).isEqualTo(HANDSHAKE_HASH);

        byte[][] iKeys = initiator.split();
        byte[][] rKeys = responder.split();
        assertThat(iKeys[0]).isEqualTo(rKeys[0]);
        assertThat(iKeys[1]).isEqualTo(rKeys[1]);
        // Transport: messages 3 and 5 go initiator -> responder under T1, 4 and 6 the other way under T2.
        for (int i = 2; i < MESSAGES.length; i++) {
            byte[] key = (i % 2 == 0) ? iKeys[0] : iKeys[1];
            long nonce = (i - 2L) / 2;
            byte[] ct = ChaCha20Poly1305.seal(key, nonce, h(MESSAGES[i][0]), null);
            assertThat(HEX.formatHex(ct)).as("message %d", i + 1).isEqualTo(MESSAGES[i][1]);
        }
    }

    @Test
    void responderRejectsUnknownInitiatorAndTamperedMessages() throws Exception {
        byte[] initPub = X25519.publicKey(INIT_STATIC);
        byte[] respPub = X25519.publicKey(RESP_STATIC);
        byte[] m1 = IkPsk2.writeMessage1(
                IkPsk2.start(PROLOGUE, respPub),
                INIT_EPHEMERAL,
                initPub,
                respPub,
                X25519.sharedSecret(INIT_STATIC, respPub),
                new byte[12]);
        assertThatThrownBy(() -> IkPsk2.readMessage1(IkPsk2.start(PROLOGUE, respPub), RESP_STATIC, m1, 12, s -> null))
                .isInstanceOf(IkPsk2.HandshakeFailure.class)
                .hasMessageContaining("unknown");
        byte[] bad = m1.clone();
        bad[40] ^= 1;
        assertThatThrownBy(() -> IkPsk2.readMessage1(
                        IkPsk2.start(PROLOGUE, respPub), RESP_STATIC, bad, 12, s -> dh(RESP_STATIC, s)))
                .isInstanceOf(IkPsk2.HandshakeFailure.class);
        byte[] otherPrologue = "x".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> IkPsk2.readMessage1(
                        IkPsk2.start(otherPrologue, respPub), RESP_STATIC, m1, 12, s -> dh(RESP_STATIC, s)))
                .isInstanceOf(IkPsk2.HandshakeFailure.class);
    }
}
