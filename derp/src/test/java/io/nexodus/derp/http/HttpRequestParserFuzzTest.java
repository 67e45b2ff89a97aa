package io.nexodus.derp.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.derp.frame.FrameReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of the relay's HTTP request-head parser, the first code that reads a stranger's
 * bytes on the DERP port. In {@code ./mvnw verify} it runs for a few seconds (see the pom); a plain unit test run
 * replays the committed inputs under src/test/resources only.
 */
class HttpRequestParserFuzzTest {
    private static final Set<Integer> ERROR_STATUSES = Set.of(400, 414, 431, 505);

    /**
     * Any bytes as a connection's first bytes, read as pipelined request heads until one is refused or the input
     * ends: only {@link IOException} (end of input) and {@link HttpRequestParser.BadRequest} with one of the
     * documented statuses escape, and every accepted head keeps the parser's promises (origin-form path, a known
     * version, bounded token-named headers, exactly one Host for HTTP/1.1).
     */
    @FuzzTest(maxDuration = "5s")
    void parseArbitraryRequestHeads(byte[] input) {
        FrameReader in = new FrameReader(new ByteArrayInputStream(input));
        try {
            while (true) {
                HttpRequest r = HttpRequestParser.parse(in);
                assertThat(r.path()).startsWith("/").doesNotContain("?");
                assertThat(r.version()).isIn("HTTP/1.1", "HTTP/1.0");
                assertThat(r.method()).isNotEmpty();
                assertThat(r.headers()).hasSizeLessThanOrEqualTo(HttpRequestParser.MAX_HEADERS);
                long hosts = r.headers().stream()
                        .filter(h -> h.name().equalsIgnoreCase("Host"))
                        .count();
                if (r.version().equals("HTTP/1.1")) {
                    assertThat(hosts).isEqualTo(1);
                }
                for (HttpRequest.Header h : r.headers()) {
                    assertThat(h.name()).isNotEmpty().doesNotContain(":", " ", "\r", "\n");
                    assertThat(h.value()).doesNotContain("\r", "\n");
                }
            }
        } catch (HttpRequestParser.BadRequest e) {
            assertThat(e.status).isIn(ERROR_STATUSES);
        } catch (IOException endOfInput) {
            // EOF inside or before a head: the connection is closed
        }
    }
}
