package io.nexodus.server.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Watch;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.watch.Topics;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Device metadata: any JSON value per device and key. Read by whoever may read the device and by devices of its VPC;
 * set by whoever may change the device (its registration key included); removed by the same, except registration
 * keys. Every write takes a revision and signals the VPC's metadata watchers.
 */
public final class Metadata {
    /** The column holding a value is VARCHAR(1000000). */
    static final int MAX_VALUE_TEXT = 1_000_000;

    private final Database db;
    private final MetadataStore store;
    private final DeviceAccess access;

    public Metadata(Database db, MetadataStore store, Devices devices) {
        this.db = db;
        this.store = store;
        this.access = devices.access();
    }

    /** Every key of the device, or those starting with {@code prefix}. */
    public List<DeviceMetadata> list(Principal p, UUID deviceId, Optional<String> prefix) {
        return db.read(tx -> {
            access.metadataReadable(tx, p, deviceId);
            List<DeviceMetadata> all = store.list(tx, deviceId);
            return prefix.map(pf ->
                            all.stream().filter(m -> m.key().startsWith(pf)).toList())
                    .orElse(all);
        });
    }

    public DeviceMetadata get(Principal p, UUID deviceId, String key) {
        return db.read(tx -> {
            access.metadataReadable(tx, p, deviceId);
            return store.find(tx, deviceId, key).orElseThrow(() -> ApiError.notFound("device metadata"));
        });
    }

    public DeviceMetadata put(Principal p, UUID deviceId, String key, JsonNode value) {
        if (key.isEmpty() || key.length() > 255) {
            throw ApiError.invalid("key", "1 to 255 characters");
        }
        String text = JsonText.write(value);
        if (text.length() > MAX_VALUE_TEXT) {
            throw ApiError.invalid("value", "at most " + MAX_VALUE_TEXT + " characters as compact JSON text");
        }
        return db.write(tx -> {
            tx.lockRevisions();
            UUID vpc = access.writable(tx, p, deviceId).device().vpcId();
            long rev = tx.nextRevision();
            store.put(tx, deviceId, key, vpc, text, rev);
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc));
            return new DeviceMetadata(deviceId, key, value, rev);
        });
    }

    public void delete(Principal p, UUID deviceId, String key) {
        Principal.denyRegKey(p);
        db.write(tx -> {
            tx.lockRevisions();
            UUID vpc = access.writable(tx, p, deviceId).device().vpcId();
            if (!store.delete(tx, deviceId, key, tx.nextRevision())) {
                throw ApiError.notFound("device metadata");
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc));
            return null;
        });
    }

    /** Deletes every key of the device. */
    public void clear(Principal p, UUID deviceId) {
        Principal.denyRegKey(p);
        db.write(tx -> {
            tx.lockRevisions();
            UUID vpc = access.writable(tx, p, deviceId).device().vpcId();
            for (String key : store.keys(tx, deviceId)) {
                store.delete(tx, deviceId, key, tx.nextRevision());
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc));
            return null;
        });
    }
}
