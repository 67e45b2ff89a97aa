package io.nexodus.derp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.derp.frame.FrameReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpRequestParserTest {
    private static HttpRequest parse(String s) throws Exception {
        return HttpRequestParser.parse(
                new FrameReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1))));
    }

    private static int status(String s) {
        try {
            parse(s);
            return 0;
        } catch (HttpRequestParser.BadRequest e) {
            return e.status;
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void parsesGoClientUpgrade() throws Exception {
        HttpRequest r = parse("""
                GET /derp HTTP/1.1\r
                Host: derp.example.com\r
                User-Agent: Go-http-client/1.1\r
                Connection: Upgrade\r
                Derp-Fast-Start: 1\r
                Upgrade: DERP\r
                \r
                """);
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/derp");
        assertThat(r.header("upgrade")).contains("DERP");
        assertThat(r.header("DERP-FAST-START")).contains("1");
        assertThat(parse("GET /generate_204?x=1 HTTP/1.0\r\n\r\n").path()).isEqualTo("/generate_204");
    }

    @Test
    void rejectsWhatIsNotStrictHttp11() {
        assertThat(status("GET /derp HTTP/1.1\r\n\r\n")).as("no Host").isEqualTo(400);
        assertThat(status("GET /derp HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /derp HTTP/1.1\nHost: a\n\n")).as("bare LF").isEqualTo(400);
        assertThat(status("GET /derp HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /derp HTTP/1.1\r\nHost : a\r\n\r\n"))
                .as("space before colon")
                .isEqualTo(400);
        assertThat(status("GET http://x/derp HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /derp HTTP/2.0\r\nHost: a\r\n\r\n")).isEqualTo(505);
        assertThat(status("GET  /derp HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(400);
        assertThat(status("G@T /derp HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /derp HTTP/1.1\r\nHost: a\u0001\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"))
                .isEqualTo(414);
        assertThat(status("GET / HTTP/1.1\r\nHost: a\r\n" + "X: y\r\n".repeat(101) + "\r\n"))
                .isEqualTo(431);
        assertThat(status("GET / HTTP/1.1\r\nHost: a\r\n" + ("X: " + "y".repeat(8000) + "\r\n").repeat(5) + "\r\n"))
                .isEqualTo(431);
        assertThatThrownBy(() -> parse("GET / HTTP/1.1\r\nHost: a\r\n")).isInstanceOf(EOFException.class);
    }
}
