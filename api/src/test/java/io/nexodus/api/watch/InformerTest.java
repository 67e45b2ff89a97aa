package io.nexodus.api.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InformerTest {
    private final UUID vpc = UUID.randomUUID();

    private static JsonNode device(UUID id, long rev, String host) {
        return Json.mapper()
                .valueToTree(new Device(
                        id, null, null, "k", List.of(), List.of(), List.of(), List.of(), false, false, host, "linux",
                        List.of(), rev, null, false, null, null));
    }

    @Test
    void appliesChangesDeletesAndTailAndResumesFromTheLastRevision() throws Exception {
        Informer<Device> inf = Informer.devices(vpc);
        List<String> seen = new ArrayList<>();
        inf.addListener(new InformerListener<>() {
            @Override
            public void onChange(Device d) {
                seen.add("change " + d.hostname());
            }

            @Override
            public void onDelete(Device d) {
                seen.add("delete " + d.hostname());
            }

            @Override
            public void onSynced() {
                seen.add("synced");
            }
        });
        assertThat(inf.currentWatch())
                .isEqualTo(new Watch("device", 0, false, java.util.Map.of("vpc-id", vpc.toString())));
        UUID a = UUID.randomUUID(), b = UUID.randomUUID();
        inf.onEvent(new WatchEvent("device", "change", device(a, 3, "a")));
        inf.onEvent(new WatchEvent("device", "change", device(b, 5, "b")));
        assertThat(inf.isSynced()).isFalse();
        long v = inf.version();
        inf.onEvent(new WatchEvent("device", "tail", null));
        assertThat(inf.awaitSynced(Duration.ZERO)).isTrue();
        assertThat(inf.awaitChange(v, Duration.ZERO)).isGreaterThan(v);
        inf.onEvent(new WatchEvent("device", "change", device(a, 2, "stale"))); // older revision: ignored
        inf.onEvent(new WatchEvent("device", "delete", device(b, 8, "b")));
        assertThat(inf.items()).containsOnlyKeys(a.toString());
        assertThat(inf.get(a.toString()).orElseThrow().hostname()).isEqualTo("a");
        assertThat(inf.currentWatch().gtRevision()).isEqualTo(8);
        assertThat(inf.currentWatch().atTail()).isTrue();
        assertThat(seen).containsExactly("change a", "change b", "synced", "delete b");
    }
}
