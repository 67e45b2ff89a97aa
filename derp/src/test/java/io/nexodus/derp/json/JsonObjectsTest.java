package io.nexodus.derp.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.ServerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The JSON reader DERP's documents go through: Go's rules, its bounds, and no unchecked exception on any input. */
class JsonObjectsTest {
    /** Reads the scalar members of an object into a map (objects and arrays are left to be skipped). */
    private static Map<String, Object> members(String json) throws JsonException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonObjects.read(json, (name, v) -> {
            switch (v.currentToken()) {
                case VALUE_STRING -> out.put(name, v.getText());
                case VALUE_NUMBER_INT -> out.put(name, JsonObjects.longValue(v, name));
                case VALUE_TRUE, VALUE_FALSE -> out.put(name, JsonObjects.boolValue(v, name));
                default -> out.put(name, "skipped");
            }
        });
        return out;
    }

    @Test
    void readsMembersInOrderSkippingNullsAndNestedValues() throws JsonException {
        assertThat(members(
                        " {\"a\":1,\"b\":null,\"c\":{\"x\":[1,2.5,{\"y\":null}]},\"d\":\"s\\u00e9\\n\",\"e\":true}\n"))
                .containsExactly(
                        Map.entry("a", 1L), Map.entry("c", "skipped"), Map.entry("d", "sé\n"), Map.entry("e", true));
        assertThat(members("{}")).isEmpty();
        assertThat(members("{\"a\":1,\"a\":2}")).containsExactly(Map.entry("a", 2L)); // the last duplicate wins
    }

    @Test
    void refusesWhatGoRefuses() {
        for (String bad : List.of(
                "",
                "[1]",
                "\"s\"",
                "{\"a\":1} x",
                "{\"a\":1}{}",
                "{\"a\":1,}",
                "{'a':1}",
                "{\"a\":01}",
                "{\"a\":1 /* c */}",
                "{\"a\":\"\u0001\"}",
                "{\"a\":\"\\x\"}",
                "{\"a\":tru}",
                "{\"a\":1",
                "{\"a\"}",
                "{a:1}")) {
            assertThatThrownBy(() -> members(bad)).as(bad).isInstanceOf(JsonException.class);
        }
    }

    @Test
    void boundsNestingAndNumbers() throws JsonException {
        String deepest =
                "{\"a\":" + "[".repeat(JsonObjects.MAX_DEPTH - 1) + "]".repeat(JsonObjects.MAX_DEPTH - 1) + "}";
        assertThat(members(deepest)).containsKey("a");
        String tooDeep = "{\"a\":" + "[".repeat(JsonObjects.MAX_DEPTH) + "]".repeat(JsonObjects.MAX_DEPTH) + "}";
        assertThatThrownBy(() -> members(tooDeep)).isInstanceOf(JsonException.class);
        assertThat(members("{\"n\":" + "9".repeat(18) + "}")).containsEntry("n", 999_999_999_999_999_999L);
        assertThatThrownBy(() -> members("{\"n\":" + "9".repeat(JsonObjects.MAX_NUMBER_LENGTH + 1) + "}"))
                .isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> members("{\"n\":" + "9".repeat(20) + "}")) // over a long
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("not an integer");
        assertThatThrownBy(() -> ClientInfo.parse("{\"version\":2.0}"))
                .hasMessageContaining("version is not an integer");
        assertThatThrownBy(() -> ClientInfo.parse("{\"version\":4294967296}")).hasMessageContaining("not an integer");
        assertThatThrownBy(() -> ClientInfo.parse("{\"CanAckPings\":1}")).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> ClientInfo.parse("{\"AppName\":[]}")).hasMessageContaining("not a string");
    }

    /** The bytes the hand-written encoder produced, which Go's encoder produces too. */
    @Test
    void writesTheSameBytesAsBefore() throws JsonException {
        assertThat(new ClientInfo(Optional.empty(), 2, true, true, "nexd \"1\" \\ \n\t").toJson())
                .isEqualTo(
                        "{\"version\":2,\"CanAckPings\":true,\"IsProber\":true,\"AppName\":\"nexd \\\"1\\\" \\\\ \\n\\t\"}");
        assertThat(new ClientInfo(Optional.empty(), 0, false, false, "").toJson())
                .isEqualTo("{\"CanAckPings\":false}");
        assertThat(new ServerInfo(2, 10, 20).toJson())
                .isEqualTo("{\"version\":2,\"TokenBucketBytesPerSecond\":10,\"TokenBucketBytesBurst\":20}");
        assertThat(new ServerInfo(0, 0, 5).toJson()).isEqualTo("{\"TokenBucketBytesBurst\":5}");
        ClientInfo odd = new ClientInfo(Optional.empty(), 7, false, true, "\u0000\u2028é😀");
        assertThat(ClientInfo.parse(odd.toJson())).isEqualTo(odd);
    }

    /**
     * A fuzz pass over the parsers of network input: random mutations (bytes replaced, inserted, deleted, cut) of valid
     * ClientInfo/ServerInfo documents and random strings. Every input either parses or gives a JsonException; nothing
     * unchecked escapes. Seeded, so a failure repeats.
     */
    @Test
    void mutatedAndRandomInputNeverThrowsUnchecked() {
        List<String> seeds = new ArrayList<>(List.of(
                ClientInfo.regular().toJson(),
                "{\"meshKey\":\"" + "ab".repeat(32) + "\",\"version\":2,\"CanAckPings\":false}",
                "{\"Version\":5,\"unknown\":{\"x\":[1,2.5,null,\"s\",{\"y\":[[[]]]}]},\"AppName\":\"a\\u00e9\"}",
                new ServerInfo(2, 1000, 2000).toJson()));
        String alphabet = "{}[]\":,\\0123456789.eE+-tfnulrsaVCIAPMk \n\u0000\u00e9\ud800";
        SplittableRandom r = new SplittableRandom(20261206);
        int parsed = 0;
        for (int i = 0; i < 30_000; i++) {
            StringBuilder b;
            if (i % 10 == 0) {
                b = new StringBuilder();
                for (int n = r.nextInt(40); n > 0; n--) {
                    b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
            } else {
                b = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
                for (int m = 1 + r.nextInt(4); m > 0 && !b.isEmpty(); m--) {
                    int at = r.nextInt(b.length());
                    char c = alphabet.charAt(r.nextInt(alphabet.length()));
                    switch (r.nextInt(4)) {
                        case 0 -> b.setCharAt(at, c);
                        case 1 -> b.insert(at, c);
                        case 2 -> b.deleteCharAt(at);
                        default -> b.setLength(at);
                    }
                }
            }
            String input = b.toString();
            try {
                ClientInfo.parse(input);
                ServerInfo.parse(input);
                parsed++;
            } catch (JsonException expected) {
                // a typed error is the allowed outcome for bad input
            } catch (RuntimeException e) {
                throw new AssertionError("unchecked " + e + " for input " + input, e);
            }
        }
        assertThat(parsed).as("some mutations stay valid").isPositive();
    }
}
