package io.nexodus.nexd.agent;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.api.watch.InformerListener;
import io.nexodus.api.watch.WatchStream;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.peering.DerpRelay;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device's membership of its VPC after registration: the one watch stream (devices, security groups, relay
 * metadata) with its informers, and registering again when the service forgot the device. It turns what the stream
 * delivers into {@link AgentEvent}s; {@link #openWatch}, {@link #closeWatch} and {@link #reattach} are called by the
 * agent's start-up and then only by {@link AgentLoop}'s thread.
 */
final class VpcSession implements AgentLoop.Session, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VpcSession.class);
    /** The service writes a keep-alive line every 10 s: 25 s of silence means the stream is dead (e.g. a NAT dropped it). */
    static final Duration WATCH_STALL = Duration.ofSeconds(25);

    /** Registers this device again (blocking, retrying while the service is unreachable). */
    @FunctionalInterface
    interface Reregistration {
        Registration.Joined register(Device oldSelf, NatObservation nat) throws StartupException, InterruptedException;
    }

    private final Vpc vpc;
    private final String publicKey;
    private final Duration watchMaxBackoff;
    private final boolean fetchPublicRelays;
    private final AgentEvents events;
    private final Reregistration reregistration;
    private final Informer<Device> devices;
    private final Informer<SecurityGroup> securityGroups;
    private final Informer<DeviceMetadata> relayMetadata;
    private WatchStream watch;
    /** Set when we close {@link #watch} ourselves: its listener then stays quiet. */
    private AtomicBoolean watchClosed = new AtomicBoolean();

    private Optional<DerpRelay> lastPublicRelay = Optional.empty();
    /** All nodes of the public region, in the service's order (the DERP client falls back along them). */
    private volatile List<DerpRelay> publicRegion = List.of();

    VpcSession(
            Vpc vpc,
            String publicKey,
            Duration watchMaxBackoff,
            boolean fetchPublicRelays,
            AgentEvents events,
            Reregistration reregistration) {
        this.vpc = vpc;
        this.publicKey = publicKey;
        this.watchMaxBackoff = watchMaxBackoff;
        this.fetchPublicRelays = fetchPublicRelays;
        this.events = events;
        this.reregistration = reregistration;
        this.devices = Informer.devices(vpc.id());
        this.securityGroups = Informer.securityGroups(vpc.id());
        this.relayMetadata = Informer.deviceMetadata(vpc.id(), "relay");
        devices.addListener(new InformerListener<>() {
            @Override
            public void onChange(Device d) {
                events.post(AgentEvent.WATCH_CHANGED);
            }

            @Override
            public void onDelete(Device d) {
                events.post(new AgentEvent.DeviceDeleted(d.id()));
            }

            @Override
            public void onSynced() {
                events.post(AgentEvent.WATCH_CHANGED);
            }
        });
        securityGroups.addListener(new InformerListener<>() {
            @Override
            public void onChange(SecurityGroup g) {
                events.post(AgentEvent.WATCH_CHANGED);
            }

            @Override
            public void onDelete(SecurityGroup g) {
                events.post(AgentEvent.WATCH_CHANGED);
            }

            @Override
            public void onSynced() {
                events.post(AgentEvent.WATCH_CHANGED);
            }
        });
        relayMetadata.addListener(new InformerListener<>() {
            @Override
            public void onChange(DeviceMetadata m) {
                events.post(AgentEvent.WATCH_CHANGED);
            }

            @Override
            public void onDelete(DeviceMetadata m) {
                events.post(AgentEvent.WATCH_CHANGED);
            }
        });
    }

    @Override
    public Informer<Device> devices() {
        return devices;
    }

    @Override
    public Informer<DeviceMetadata> relayMetadata() {
        return relayMetadata;
    }

    @Override
    public Informer<SecurityGroup> securityGroups() {
        return securityGroups;
    }

    /** Whether {@code key} is the WireGuard key of a device of the VPC (any thread: the informer is thread-safe). */
    boolean isVpcPeer(String key) {
        return devices.items().values().stream().anyMatch(x -> key.equals(x.publicKey()));
    }

    /**
     * Opens the one watch stream; the informers keep their revisions, so a reopened stream resumes where the last one
     * ended.
     */
    @Override
    public void relist() {
        devices.relist();
        securityGroups.relist();
        relayMetadata.relist();
    }

    /**
     * Fills the informers from a stored peer map, as if a watch had listed it: used when nexd starts while the
     * service is unreachable. The first watch after registering again must {@link #relist()}: the live list then
     * replaces the map (what it lacks is removed).
     */
    void seed(PeerMap map) {
        feed(devices, map.device());
        map.peers().forEach(d -> feed(devices, d));
        map.securityGroups().forEach(g -> feed(securityGroups, g));
        map.relayMetadata().forEach(m -> feed(relayMetadata, m));
        for (Informer<?> i : List.of(devices, securityGroups, relayMetadata)) {
            i.onEvent(new WatchEvent(i.kind(), WatchEvent.TYPE_TAIL, null));
        }
    }

    private static void feed(Informer<?> informer, Object value) {
        informer.onEvent(new WatchEvent(
                informer.kind(), WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(value)));
    }

    /** Counts watch connections that fetch the relays: a fetch still retrying for an older one gives up. */
    private final AtomicLong relayFetch = new AtomicLong();

    @Override
    public void openWatch(NexodusClient asDevice) {
        closeWatch();
        AtomicBoolean closed = new AtomicBoolean();
        watchClosed = closed;
        watch = WatchStream.builder(asDevice, vpc.id())
                .publicKey(publicKey)
                .subscribe(devices)
                .subscribe(securityGroups)
                .subscribe(relayMetadata)
                .backoff(Duration.ofMillis(250), watchMaxBackoff)
                .stallTimeout(WATCH_STALL)
                .listener(new WatchStream.Listener() {
                    @Override
                    public void onConnected() {
                        log.info("watching VPC {}", vpc.id());
                        if (fetchPublicRelays) {
                            long fetch = relayFetch.incrementAndGet();
                            Thread.ofVirtual()
                                    .name("nexd-relays")
                                    .start(() -> refreshPublicRelays(
                                            asDevice, () -> closed.get() || relayFetch.get() != fetch));
                        }
                    }

                    @Override
                    public void onDisconnected(Throwable cause) {
                        if (closed.get()) {
                            return;
                        }
                        if (cause instanceof ApiException ae && ae.isUnauthorized()) {
                            events.post(new AgentEvent.TokenRejected());
                            return;
                        }
                        log.info(
                                "watch stream ended ({}); the tunnels stay as they are, resuming",
                                cause == null ? "closed by the service" : cause.getMessage());
                    }

                    @Override
                    public void onErrorEvent(WatchEvent event) {
                        log.warn("watch stream error from the service: {}", event.value());
                    }
                })
                .start();
    }

    @Override
    public void closeWatch() {
        WatchStream w = watch;
        watch = null;
        watchClosed.set(true);
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void reattach(Device oldSelf, NatObservation nat) {
        Thread.ofVirtual().name("nexd-reattach").start(() -> {
            try {
                events.post(new AgentEvent.Reattached(reregistration.register(oldSelf, nat)));
            } catch (StartupException e) {
                boolean deleted = e.getCause() instanceof ApiException a && a.isDeviceDeleted();
                events.post(new AgentEvent.ReattachFailed(e.getMessage(), deleted));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Where a DERP relay's TCP connection goes: its pinned addresses, else what its host name resolves to now. */
    static List<InetAddress> addresses(DerpRelay r) {
        List<InetAddress> out = new ArrayList<>();
        r.dialIp().ifPresent(out::add);
        r.pinnedIp().ifPresent(out::add);
        if (r.url().getHost() != null) {
            try {
                out.addAll(List.of(InetAddress.getAllByName(r.url().getHost())));
            } catch (UnknownHostException e) {
                log.debug("cannot resolve {}: {}", r.url().getHost(), e.getMessage());
            }
        }
        return out;
    }

    /**
     * Fetches the service's public DERP relays ({@code GET /api/relays}) whenever the watch (re)connects. A failed
     * fetch (the service still starting answers 503; a network error) is retried, 0.5 s doubling to 30 s, until one
     * succeeds or {@code superseded} (the watch closed, or a newer connection fetches): the relay must not stay unknown
     * until the next reconnect.
     */
    private void refreshPublicRelays(NexodusClient asDevice, BooleanSupplier superseded) {
        long backoffMs = 500;
        while (!superseded.getAsBoolean()) {
            try {
                List<DerpRelay> region =
                        DerpConnection.publicRegion(asDevice.relays().list());
                Optional<DerpRelay> relay = region.stream().findFirst();
                synchronized (this) {
                    if (!relay.equals(lastPublicRelay)) {
                        log.info(
                                "public DERP relay: {}",
                                relay.map(r -> r.id() + " " + r.url()
                                                + (region.size() > 1
                                                        ? " (and " + (region.size() - 1) + " more nodes)"
                                                        : ""))
                                        .orElse("none"));
                    }
                    lastPublicRelay = relay;
                    publicRegion = region;
                }
                // every node's addresses: the client may move to any of them
                events.post(new AgentEvent.PublicRelay(
                        relay,
                        region.stream()
                                .flatMap(r -> addresses(r).stream())
                                .distinct()
                                .toList()));
                return;
            } catch (RuntimeException e) {
                log.warn("cannot fetch the public DERP relays: {}; trying again in {} ms", e.getMessage(), backoffMs);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
    }

    /** The public region's nodes as last fetched, first = the relay in use ({@link DerpConnection}'s fallbacks). */
    List<DerpRelay> publicRegionNodes() {
        return publicRegion;
    }

    @Override
    public void close() {
        closeWatch();
    }
}
