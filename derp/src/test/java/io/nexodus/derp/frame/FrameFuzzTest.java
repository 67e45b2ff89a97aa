package io.nexodus.derp.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.derp.json.JsonException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of what a DERP peer sends: the frame stream as {@link FrameReader#readFrame} reads
 * it on both ends of a connection, and the ClientInfo/ServerInfo JSON sealed inside the first frames. In
 * {@code ./mvnw verify} each runs for a few seconds (see the pom); a plain unit test run replays the committed inputs
 * under src/test/resources only.
 */
class FrameFuzzTest {
    /**
     * Any bytes as a connection's frame stream (the first byte picks the server's or the client's limits and a small
     * or large read buffer). Reading ends in EOF or an OVERSIZED error, never in another exception; a MALFORMED frame
     * leaves the stream in sync; every frame read encodes to bytes that read back to the same bytes.
     */
    @FuzzTest(maxDuration = "5s")
    void readArbitraryFrameStreams(byte[] stream) throws IOException {
        if (stream.length == 0) {
            return;
        }
        int ctl = stream[0];
        FrameLimits limits = (ctl & 1) == 0 ? FrameLimits.SERVER : FrameLimits.CLIENT;
        FrameReader reader =
                new FrameReader(new ByteArrayInputStream(stream, 1, stream.length - 1), (ctl & 2) == 0 ? 16 : 4096);
        for (int frames = 0; frames <= stream.length; frames++) {
            Frame f;
            try {
                f = reader.readFrame(limits);
            } catch (EOFException e) {
                return;
            } catch (FrameFormatException e) {
                if (!e.streamInSync()) {
                    return;
                }
                continue;
            }
            if (!(f instanceof Frame.Unknown)) {
                byte[] encoded = FrameCodec.encode(f);
                byte[] again = FrameCodec.encode(readOne(encoded, limits));
                if (!Arrays.equals(encoded, again)) {
                    throw new AssertionError("round trip changed " + f);
                }
            }
        }
        throw new AssertionError("more frames than bytes: the reader does not make progress");
    }

    /**
     * Any bytes as the opened (decrypted) JSON of a ClientInfo (what the server parses from a connecting client) or a
     * ServerInfo (what the client parses from the server), decoded as UTF-8 as both do: parsing succeeds or throws
     * {@link JsonException}; an accepted value writes JSON that parses back to the same value.
     */
    @FuzzTest(maxDuration = "5s")
    void parseArbitraryInfoJson(byte[] opened) {
        String json = new String(opened, StandardCharsets.UTF_8);
        try {
            ClientInfo ci = ClientInfo.parse(json);
            ClientInfo back = ClientInfo.parse(ci.toJson());
            if (!back.equals(ci)) {
                throw new AssertionError("ClientInfo round trip changed " + ci + " into " + back);
            }
        } catch (JsonException e) {
            // expected for malformed input
        }
        try {
            ServerInfo si = ServerInfo.parse(json);
            ServerInfo back = ServerInfo.parse(si.toJson());
            if (!back.equals(si)) {
                throw new AssertionError("ServerInfo round trip changed " + si + " into " + back);
            }
        } catch (JsonException e) {
            // expected for malformed input
        }
    }

    private static Frame readOne(byte[] encoded, FrameLimits limits) throws IOException {
        try {
            return new FrameReader(new ByteArrayInputStream(encoded)).readFrame(limits);
        } catch (FrameFormatException e) {
            throw new AssertionError("re-reading an encoded frame failed", e);
        }
    }
}
