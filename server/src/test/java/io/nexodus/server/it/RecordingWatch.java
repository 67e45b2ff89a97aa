package io.nexodus.server.it;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.api.watch.WatchStream;
import io.nexodus.api.watch.WatchSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A device watch of one VPC kept by the api module's {@link WatchStream} and {@link Informer} (reconnect and resume by
 * revision, as nexd does), recording what the stream delivered: an event at or below the revision a reconnect resumed
 * from (sent twice), a {@code reset}, and how often the stream broke and reconnected.
 */
final class RecordingWatch implements WatchSubscriber, AutoCloseable {
    final Informer<Device> devices;
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    final AtomicInteger resentEvents = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    final AtomicInteger events = new AtomicInteger();
    private final List<Consumer<Device>> onChange = new CopyOnWriteArrayList<>();
    private final WatchStream stream;
    private volatile long resumedFrom;
    private volatile boolean resumedAtTail;

    RecordingWatch(NexodusClient client, UUID vpc) {
        this.devices = Informer.devices(vpc);
        this.stream = WatchStream.builder(client, vpc)
                .subscribe(this)
                .backoff(Duration.ofMillis(250), Duration.ofSeconds(5))
                .listener(new WatchStream.Listener() {
                    @Override
                    public void onConnected() {
                        connects.incrementAndGet();
                    }

                    @Override
                    public void onDisconnected(Throwable cause) {
                        disconnects.incrementAndGet();
                    }
                })
                .build();
    }

    RecordingWatch start() {
        stream.start();
        return this;
    }

    void onChange(Consumer<Device> c) {
        onChange.add(c);
    }

    @Override
    public Watch currentWatch() {
        Watch w = devices.currentWatch();
        resumedFrom = w.gtRevision();
        resumedAtTail = w.atTail();
        return w;
    }

    @Override
    public void onEvent(WatchEvent e) {
        events.incrementAndGet();
        if (WatchEvent.TYPE_RESET.equals(e.type())) {
            resets.incrementAndGet();
            resumedAtTail = false; // the whole list follows: counted as the reset, not as events sent twice
        }
        if ((WatchEvent.TYPE_CHANGE.equals(e.type()) || WatchEvent.TYPE_DELETE.equals(e.type()))
                && resumedAtTail
                && e.value() != null
                && e.value().path("revision").asLong() <= resumedFrom) {
            resentEvents.incrementAndGet();
        }
        devices.onEvent(e);
        if (WatchEvent.TYPE_CHANGE.equals(e.type())) {
            devices.get(e.value().path("id").asText()).ifPresent(d -> onChange.forEach(c -> c.accept(d)));
        }
    }

    boolean isConnected() {
        return stream.isConnected();
    }

    /** Device id → revision, as this watch has it. */
    Map<String, Long> state() {
        return devices.items().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().revision()));
    }

    /** Differences from {@code expected} (device id → revision), empty when this watch has exactly that. */
    List<String> differences(Map<String, Long> expected) {
        Map<String, Long> have = state();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long h = have.get(e.getKey());
            if (!e.getValue().equals(h)) {
                out.add(e.getKey() + ": expected revision " + e.getValue() + ", watch has " + h);
            }
        }
        for (String id : have.keySet()) {
            if (!expected.containsKey(id)) {
                out.add(id + ": not in the database, watch has it");
            }
        }
        return out;
    }

    @Override
    public void close() {
        stream.close();
    }
}
