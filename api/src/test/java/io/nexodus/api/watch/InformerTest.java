package io.nexodus.api.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertThat(inf.currentWatch()).isEqualTo(new Watch("device", 0, false, Map.of("vpc-id", vpc.toString())));
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

    @Test
    void aRelistReplacesTheItemsWithTheNewListWhateverTheirRevisions() {
        Informer<Device> inf = Informer.devices(UUID.randomUUID());
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        List<String> deleted = new ArrayList<>();
        inf.addListener(new InformerListener<>() {
            @Override
            public void onChange(Device d) {}

            @Override
            public void onDelete(Device d) {
                deleted.add(d.hostname());
            }

            @Override
            public void onSynced() {}
        });
        inf.onEvent(new WatchEvent("device", "change", device(a, 40, "a")));
        inf.onEvent(new WatchEvent("device", "change", device(b, 41, "b")));
        inf.onEvent(new WatchEvent("device", "tail", null));

        // the service restored older state: it knows a (at a lower revision) and c, not b; it says so with a reset
        inf.onEvent(new WatchEvent("device", WatchEvent.TYPE_RESET, null));
        assertThat(inf.currentWatch().gtRevision()).isZero();
        assertThat(inf.currentWatch().atTail()).isFalse();
        assertThat(inf.items()).as("kept until the new list is complete").containsOnlyKeys(a.toString(), b.toString());
        inf.onEvent(new WatchEvent("device", "change", device(a, 7, "a2")));
        inf.onEvent(new WatchEvent("device", "change", device(c, 9, "c")));
        inf.onEvent(new WatchEvent("device", "tail", null));
        assertThat(inf.items()).containsOnlyKeys(a.toString(), c.toString());
        assertThat(inf.get(a.toString()).orElseThrow().hostname()).isEqualTo("a2");
        assertThat(deleted).containsExactly("b");
        assertThat(inf.isSynced()).isTrue();
        assertThat(inf.currentWatch().gtRevision()).isEqualTo(9);

        // after the relist, revisions order updates again
        inf.onEvent(new WatchEvent("device", "change", device(a, 3, "stale")));
        assertThat(inf.get(a.toString()).orElseThrow().hostname()).isEqualTo("a2");
    }

    @Test
    void ignoresEventsWithoutATypeOrWithoutAKeyInsteadOfThrowing() throws Exception {
        Informer<Device> inf = Informer.devices(vpc);
        UUID a = UUID.randomUUID();
        inf.onEvent(new WatchEvent("device", "change", device(a, 3, "a")));
        long v = inf.version();
        // each of these once threw out of the watch loop (a NullPointerException), breaking the stream
        inf.onEvent(new WatchEvent("device", null, device(a, 4, "no type")));
        inf.onEvent(new WatchEvent("device", "change", Json.mapper().readTree("{\"revision\":9}")));
        inf.onEvent(new WatchEvent("device", "delete", Json.mapper().readTree("{\"hostname\":\"x\"}")));
        inf.onEvent(new WatchEvent("device", "change", Json.mapper().readTree("null")));
        assertThat(inf.version()).isEqualTo(v);
        assertThat(inf.items()).containsOnlyKeys(a.toString());
        assertThat(inf.get(a.toString()).orElseThrow().hostname()).isEqualTo("a");

        Informer<DeviceMetadata> md = Informer.deviceMetadata(vpc, null);
        md.onEvent(new WatchEvent("device-metadata", "change", Json.mapper().readTree("{\"key\":\"k\"}")));
        assertThat(md.items()).isEmpty();
    }
}
