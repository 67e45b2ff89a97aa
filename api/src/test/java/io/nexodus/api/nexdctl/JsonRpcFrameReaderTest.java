package io.nexodus.api.nexdctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcFrameReaderTest {

    private static JsonRpcFrameReader reader(String s, int max) {
        return new JsonRpcFrameReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), max);
    }

    private static String text(JsonRpcFrameReader.Frame f) {
        assertThat(f).isInstanceOf(JsonRpcFrameReader.Frame.Json.class);
        return new String(((JsonRpcFrameReader.Frame.Json) f).bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void splitsNewlineDelimitedAndConcatenatedObjects() throws IOException {
        JsonRpcFrameReader r = reader("{\"a\":1}\n{\"b\":[1,{\"c\":2}]}{\"d\":3}  \r\n\t{}\n", 1024);
        assertThat(text(r.next())).isEqualTo("{\"a\":1}");
        assertThat(text(r.next())).isEqualTo("{\"b\":[1,{\"c\":2}]}");
        assertThat(text(r.next())).isEqualTo("{\"d\":3}");
        assertThat(text(r.next())).isEqualTo("{}");
        assertThat(r.next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
        assertThat(r.next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
    }

    @Test
    void bracesAndQuotesInsideStringsDoNotEndAFrame() throws IOException {
        String tricky = "{\"result\":\"}{ \\\"quoted\\\" \\\\\",\"x\":\"]\"}";
        JsonRpcFrameReader r = reader(tricky + "\n{\"n\":1}", 1024);
        assertThat(text(r.next())).isEqualTo(tricky);
        assertThat(text(r.next())).isEqualTo("{\"n\":1}");
    }

    @Test
    void keepsMultiByteUtf8Intact() throws IOException {
        String s = "{\"hostname\":\"h\u00f6st-\u2713-\uD83D\uDE00\"}";
        assertThat(text(reader(s, 1024).next())).isEqualTo(s);
    }

    @Test
    void worksOneByteAtATime() throws IOException {
        byte[] b =
                "{\"id\":1,\"result\":\"{\\\"x\\\":1}\",\"error\":null}\n{\"id\":2}".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(1, len));
            }
        };
        JsonRpcFrameReader r = new JsonRpcFrameReader(trickle, 1024);
        assertThat(text(r.next())).isEqualTo("{\"id\":1,\"result\":\"{\\\"x\\\":1}\",\"error\":null}");
        assertThat(text(r.next())).isEqualTo("{\"id\":2}");
        assertThat(r.next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
    }

    @Test
    void reportsOversizedFramesWithoutBufferingThem() throws IOException {
        String big = "{\"x\":\"" + "a".repeat(10_000) + "\"}";
        assertThat(reader(big, 100).next()).isEqualTo(new JsonRpcFrameReader.Frame.Oversized(100));
        String exact = "{\"x\":\"" + "a".repeat(92) + "\"}"; // exactly 100 bytes
        assertThat(exact).hasSize(100);
        assertThat(text(reader(exact, 100).next())).isEqualTo(exact);
    }

    @Test
    void reportsGarbageAndTruncation() throws IOException {
        assertThat(reader("GET / HTTP/1.1\r\n", 100).next())
                .isInstanceOfSatisfying(
                        JsonRpcFrameReader.Frame.Garbage.class,
                        g -> assertThat(g.reason()).contains("'G'"));
        assertThat(reader("[1,2]", 100).next()).isInstanceOf(JsonRpcFrameReader.Frame.Garbage.class);
        assertThat(reader("\u0000", 100).next())
                .isInstanceOfSatisfying(
                        JsonRpcFrameReader.Frame.Garbage.class,
                        g -> assertThat(g.reason()).contains("0x00"));
        assertThat(reader("{\"a\":{\"b\":1}", 100).next()).isEqualTo(JsonRpcFrameReader.Frame.Truncated.INSTANCE);
        assertThat(reader("{\"a\":\"}", 100).next()).isEqualTo(JsonRpcFrameReader.Frame.Truncated.INSTANCE);
        assertThat(reader("   \n", 100).next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
    }
}
