package io.nexodus.api.nexdctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of what nexd's control socket does with a client's bytes, as {@link JsonRpcServer}
 * does it: {@link JsonRpcFrameReader} splits the stream, {@link JsonRpcCodec#decode} parses each frame, the
 * {@link NexdCtlDispatcher} answers requests, and the answer is encoded. In {@code ./mvnw verify} it runs for a few
 * seconds (see the pom); a plain unit test run replays the committed inputs under src/test/resources only.
 */
class ControlSocketFuzzTest {
    private static final int MAX_FRAME = 4096;

    /**
     * Any bytes from a client: frames are bounded objects; decoding never throws; the dispatcher fails only with the
     * exceptions the server turns into an error answer; every answer encodes to one line that decodes back to a
     * response with the request's id.
     */
    @FuzzTest(maxDuration = "5s")
    void serveArbitraryControlStreams(byte[] input) throws IOException {
        JsonRpcFrameReader reader = new JsonRpcFrameReader(new ByteArrayInputStream(input), MAX_FRAME);
        NexdCtlDispatcher dispatcher = new NexdCtlDispatcher(new FixedAgent());
        while (reader.next() instanceof JsonRpcFrameReader.Frame.Json frame) {
            byte[] bytes = frame.bytes();
            assertThat(bytes.length).isBetween(2, MAX_FRAME);
            assertThat(bytes[0]).isEqualTo((byte) '{');
            JsonRpcResponse answer = switch (JsonRpcCodec.decode(bytes)) {
                case JsonRpcDecodeResult.Decoded(JsonRpcRequest request) -> {
                    try {
                        yield dispatcher.handle(request);
                    } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
                        yield JsonRpcResponse.failure(request.id(), JsonRpcServer.message(e));
                    }
                }
                case JsonRpcDecodeResult.Decoded(JsonRpcResponse r) ->
                    JsonRpcResponse.failure(r.id(), "expected a request, got a response");
                case JsonRpcDecodeResult.Invalid inv ->
                    JsonRpcResponse.failure(inv.id(), "invalid request: " + inv.reason());
            };
            byte[] encoded = JsonRpcCodec.encode(answer);
            assertThat(encoded[encoded.length - 1]).isEqualTo((byte) '\n');
            JsonRpcDecodeResult back = JsonRpcCodec.decode(encoded);
            assertThat(back).isInstanceOf(JsonRpcDecodeResult.Decoded.class);
            JsonRpcMessage message = ((JsonRpcDecodeResult.Decoded) back).message();
            assertThat(message).isInstanceOf(JsonRpcResponse.class);
            assertThat(((JsonRpcResponse) message).id()).isEqualTo(answer.id());
        }
    }

    /** An agent with fixed answers: the fuzzing is about the wire, not the agent. */
    private static final class FixedAgent implements NexdCtl {
        @Override
        public String version() {
            return NexodusVersion.current();
        }

        @Override
        public NexdStatus status() {
            return new NexdStatus(NexdStatus.RUNNING, "");
        }

        @Override
        public String tunnelIp(IpFamily family) {
            return family == IpFamily.V4 ? "100.64.0.1" : "200::1";
        }

        @Override
        public ListPeersResult listPeers() {
            return new ListPeersResult(true, false, Map.of());
        }

        @Override
        public ConnectivityResult connectivity(IpFamily family) {
            return new ConnectivityResult(true, false, Map.of());
        }

        @Override
        public boolean debug() {
            return false;
        }

        @Override
        public void setDebug(boolean on) {}
    }
}
