package io.nexodus.derp.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.json.JsonException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** derp_test.go TestClientInfoUnmarshal and the JSON shapes of ClientInfo/ServerInfo. */
class ClientInfoTest {
    private static final String KEY = "6d529e9d4ef632d22d4a4214cb49da8f1ba1b72697061fb24e312984c35ec8d8";

    @Test
    void unmarshalsCaseInsensitively() throws JsonException {
        for (String json : new String[] {
            "{\"Version\":5,\"MeshKey\":\"" + KEY + "\"}", "{\"version\":5,\"meshKey\":\"" + KEY + "\"}"
        }) {
            ClientInfo ci = ClientInfo.parse(json);
            assertThat(ci.version()).isEqualTo(5);
            assertThat(ci.meshKey())
                    .hasValueSatisfying(k -> assertThat(k.toHex()).isEqualTo(KEY));
        }
    }

    @Test
    void rejectsBadMeshKeys() {
        assertThatThrownBy(() -> ClientInfo.parse("{\"MeshKey\":\"abcdefg\"}"))
                .hasMessageContaining("invalid mesh key");
        assertThatThrownBy(() -> ClientInfo.parse("{\"MeshKey\":\"" + KEY + "00\"}"))
                .hasMessageContaining("invalid mesh key");
        assertThatThrownBy(() -> ClientInfo.parse("{\"version\":\"2\"}")).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> ClientInfo.parse("[1]")).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> ClientInfo.parse("{\"a\":" + "[".repeat(100))).isInstanceOf(JsonException.class);
    }

    @Test
    void marshalsLikeGo() throws JsonException {
        assertThat(ClientInfo.regular().toJson()).isEqualTo("{\"version\":2,\"CanAckPings\":true}");
        assertThat(ClientInfo.meshPeer(MeshKey.parse(KEY)).toJson())
                .isEqualTo("{\"meshKey\":\"" + KEY + "\",\"version\":2,\"CanAckPings\":false}");
        ClientInfo full = new ClientInfo(Optional.empty(), 2, true, true, "nexd \"1\"");
        assertThat(ClientInfo.parse(full.toJson())).isEqualTo(full);
        assertThat(ClientInfo.parse("{\"unknown\":{\"x\":[1,2.5,null]},\"CanAckPings\":true}")
                        .canAckPings())
                .isTrue();
        assertThat(ServerInfo.current().toJson()).isEqualTo("{\"version\":2}");
        assertThat(ServerInfo.parse("{\"Version\":2,\"tokenBucketBytesPerSecond\":10}"))
                .isEqualTo(new ServerInfo(2, 10, 0));
    }
}
