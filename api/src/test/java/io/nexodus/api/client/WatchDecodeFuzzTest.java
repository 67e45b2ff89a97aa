package io.nexodus.api.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.api.watch.WatchSubscriber;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing (Jazzer) of the client's decoder of the service's watch stream: {@link WatchConnection#next}
 * on the response body, and each event handed to the informer of its kind, as {@code WatchStream} does. In
 * {@code ./mvnw verify} it runs for a few seconds (see the pom); a plain unit test run replays the committed inputs
 * under src/test/resources only.
 */
class WatchDecodeFuzzTest {
    private static final UUID VPC = UUID.fromString("8a6f1f3e-46b1-4e6c-9f0a-2d7c8f5a1b20");

    static {
        // the informers warn about every event they ignore: at fuzzing rates that is only noise
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Informer.class))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    /**
     * Any bytes as a watch response body: reading ends at the end of the stream, at an error event, or with the
     * documented {@link UncheckedIOException} for a malformed line; nothing else escapes the decoder or the informers,
     * and the informers hold only items they can key.
     */
    @FuzzTest(maxDuration = "5s")
    void decodeArbitraryWatchStreams(byte[] body) {
        List<Informer<?>> informers = List.of(
                Informer.devices(VPC),
                Informer.securityGroups(VPC),
                Informer.deviceMetadata(VPC, null),
                Informer.vpc(VPC));
        Map<String, WatchSubscriber> byKind = Map.of(
                informers.get(0).kind(), informers.get(0),
                informers.get(1).kind(), informers.get(1),
                informers.get(2).kind(), informers.get(2),
                informers.get(3).kind(), informers.get(3));
        try (WatchConnection conn = new WatchConnection(new ByteArrayInputStream(body))) {
            WatchEvent e;
            while ((e = conn.next()) != null) {
                if (WatchEvent.TYPE_ERROR.equals(e.type())) {
                    break;
                }
                WatchSubscriber s = e.kind() == null ? null : byKind.get(e.kind());
                if (s != null) {
                    s.onEvent(e);
                }
            }
        } catch (UncheckedIOException expected) {
            // a malformed line: the stream reconnects
        }
        for (Informer<?> i : informers) {
            for (Map.Entry<String, ?> item : i.items().entrySet()) {
                if (item.getKey() == null || item.getValue() == null) {
                    throw new AssertionError("informer " + i.kind() + " holds " + item);
                }
            }
        }
    }
}
