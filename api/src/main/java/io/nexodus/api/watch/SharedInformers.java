package io.nexodus.api.watch;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.Vpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Several informers on one watch stream (what nexd uses: devices, security groups and relay metadata of its VPC).
 * Create the informers, then {@link #start()}; {@link #awaitSynced} waits until every informer has its full list.
 * <pre>{@code
 * try (SharedInformers inf = new SharedInformers(api, vpcId, publicKey)) {
 *     Informer<Device> devices = inf.devices();
 *     Informer<DeviceMetadata> relays = inf.deviceMetadata("relay");
 *     inf.start();
 *     inf.awaitSynced(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class SharedInformers implements AutoCloseable {
    private final NexodusClient client;
    private final UUID vpcId;
    private final String publicKey;
    private final List<Informer<?>> informers = new ArrayList<>();
    private WatchStream.Listener listener = new WatchStream.Listener() {};
    private WatchStream stream;

    /**
     * Informers on {@code POST /api/vpcs/{vpcId}/events}; {@code publicKey} (nullable) is the connecting device's key
     * for online tracking (a {@code DT:} token identifies the device anyway).
     */
    public SharedInformers(NexodusClient client, UUID vpcId, String publicKey) {
        this.client = client;
        this.vpcId = vpcId;
        this.publicKey = publicKey;
    }

    public synchronized Informer<Device> devices() {
        return add(Informer.devices(vpcId));
    }

    public synchronized Informer<SecurityGroup> securityGroups() {
        return add(Informer.securityGroups(vpcId));
    }

    public synchronized Informer<DeviceMetadata> deviceMetadata(String key) {
        return add(Informer.deviceMetadata(vpcId, key));
    }

    public synchronized Informer<Vpc> vpc() {
        return add(Informer.vpc(vpcId));
    }

    /** Adds a custom informer (its kind must not be used by another informer here). */
    public synchronized <T> Informer<T> add(Informer<T> informer) {
        if (stream != null) {
            throw new IllegalStateException("already started");
        }
        for (Informer<?> i : informers) {
            if (i.kind().equals(informer.kind())) {
                throw new IllegalArgumentException("already have an informer of kind " + i.kind());
            }
        }
        informers.add(informer);
        return informer;
    }

    public synchronized SharedInformers listener(WatchStream.Listener l) {
        this.listener = l;
        return this;
    }

    /** Opens the shared stream. */
    public synchronized SharedInformers start() {
        if (stream == null) {
            WatchStream.Builder b =
                    WatchStream.builder(client, vpcId).publicKey(publicKey).listener(listener);
            informers.forEach(b::subscribe);
            stream = b.start();
        }
        return this;
    }

    /** Waits until every informer is synced; false on timeout. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Informer<?> i : List.copyOf(informers)) {
            long left = deadline - System.nanoTime();
            if (!i.awaitSynced(Duration.ofNanos(Math.max(0, left)))) {
                return false;
            }
        }
        return true;
    }

    public synchronized boolean isConnected() {
        return stream != null && stream.isConnected();
    }

    @Override
    public synchronized void close() {
        if (stream != null) {
            stream.close();
        }
    }
}
