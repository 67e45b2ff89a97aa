package io.nexodus.api.nexdctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {

    private static String encode(JsonRpcMessage m) {
        return new String(JsonRpcCodec.encode(m), StandardCharsets.UTF_8);
    }

    private static JsonRpcDecodeResult decode(String s) {
        return JsonRpcCodec.decode(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodesExactlyAsGoNetRpcJsonrpc() {
        // Go: json.Encoder of clientRequest{Method, Params [1]any, Id uint64} and serverResponse{Id, Result, Error}
        assertThat(encode(JsonRpcRequest.of("NexdCtl.Version", "", 0)))
                .isEqualTo("{\"method\":\"NexdCtl.Version\",\"params\":[\"\"],\"id\":0}\n");
        assertThat(encode(JsonRpcResponse.success(IntNode.valueOf(7), "0.1.0")))
                .isEqualTo("{\"id\":7,\"result\":\"0.1.0\",\"error\":null}\n");
        assertThat(encode(JsonRpcResponse.failure(IntNode.valueOf(7), "no tunnel interface found")))
                .isEqualTo("{\"id\":7,\"result\":null,\"error\":\"no tunnel interface found\"}\n");
    }

    @Test
    void decodesWhatGoSends() {
        JsonRpcDecodeResult req =
                decode("{\"method\":\"NexdCtl.ProxyAddIngress\",\"params\":[\"tcp:80:127.0.0.1:8080\"],\"id\":3}");
        assertThat(req).isInstanceOfSatisfying(JsonRpcDecodeResult.Decoded.class, d -> {
            JsonRpcRequest r = (JsonRpcRequest) d.message();
            assertThat(r.method()).isEqualTo("NexdCtl.ProxyAddIngress");
            assertThat(r.stringParam()).isEqualTo("tcp:80:127.0.0.1:8080");
            assertThat(r.id().asLong()).isEqualTo(3);
        });
        JsonRpcDecodeResult resp = decode("{\"id\":3,\"result\":\"Status: Running\\n\",\"error\":null}");
        assertThat(resp).isInstanceOfSatisfying(JsonRpcDecodeResult.Decoded.class, d -> {
            JsonRpcResponse r = (JsonRpcResponse) d.message();
            assertThat(r.isError()).isFalse();
            assertThat(r.resultString()).isEqualTo("Status: Running\n");
        });
        JsonRpcDecodeResult err = decode("{\"id\":3,\"result\":null,\"error\":\"boom\"}");
        assertThat(((JsonRpcResponse) ((JsonRpcDecodeResult.Decoded) err).message()).errorMessage())
                .isEqualTo("boom");
    }

    @Test
    void requestWithoutParamsOrWithNullParamHasEmptyStringParam() {
        JsonRpcRequest r = (JsonRpcRequest)
                ((JsonRpcDecodeResult.Decoded) decode("{\"method\":\"NexdCtl.Status\",\"id\":1}")).message();
        assertThat(r.stringParam()).isEmpty();
        r = (JsonRpcRequest)
                ((JsonRpcDecodeResult.Decoded) decode("{\"method\":\"M\",\"params\":[null],\"id\":1}")).message();
        assertThat(r.stringParam()).isEmpty();
        r = (JsonRpcRequest)
                ((JsonRpcDecodeResult.Decoded) decode("{\"method\":\"M\",\"params\":[{\"a\":1}],\"id\":1}")).message();
        assertThat(r.stringParam()).isEqualTo("{\"a\":1}");
    }

    @Test
    void badInputIsATypedResultNeverAnException() {
        assertThat(decode("not json")).isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("[1]")).isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("")).isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("{\"id\":5,\"method\":7}"))
                .isInstanceOfSatisfying(
                        JsonRpcDecodeResult.Invalid.class,
                        i -> assertThat(i.id().asInt()).isEqualTo(5));
        assertThat(decode("{\"id\":5,\"method\":\"M\",\"params\":\"x\"}"))
                .isInstanceOfSatisfying(
                        JsonRpcDecodeResult.Invalid.class,
                        i -> assertThat(i.reason()).contains("params"));
        assertThat(decode("{\"id\":5}")).isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("[".repeat(5000) + "]".repeat(5000))).isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"))
                .isInstanceOf(JsonRpcDecodeResult.Invalid.class);
        assertThat(decode("{\"method\":\"M\",\"id\":1}trailing")).isInstanceOf(JsonRpcDecodeResult.class); // no throw
    }
}
