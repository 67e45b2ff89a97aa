package io.nexodus.server.connectivity;

import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.DeviceTokenAccess;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.vpc.VpcAccess;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Connectivity reports: an agent tells how it reaches each peer (method, relay, handshake age, bytes) and its NAT
 * type; whoever may read the VPC (its organization's members, its devices) sees who reaches whom. Only the device
 * itself may report, with its device token. A report is stale after {@link #STALE_AFTER} or when its device is
 * offline, and is no longer shown (and is removed by garbage collection) after {@link #EXPIRE_AFTER}. Reports take no
 * revision and signal no watcher: agents refresh them every 30 s, and readers poll.
 */
public final class Connectivity {
    /** Agents refresh their report every 30 s: three missed refreshes make it stale. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(90);
    /** A report this old is not shown any more. */
    public static final Duration EXPIRE_AFTER = Duration.ofHours(1);

    /** NAT types, methods and relay kinds: lower-case words, so a newer agent can add one. */
    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final Database db;
    private final ConnectivityStore store;
    private final DeviceStore devices;
    private final VpcAccess vpcs;
    private final Memberships memberships;

    public Connectivity(
            Database db, ConnectivityStore store, DeviceStore devices, VpcAccess vpcs, Memberships memberships) {
        this.db = db;
        this.store = store;
        this.devices = devices;
        this.vpcs = vpcs;
        this.memberships = memberships;
    }

    /** Stores the device's report, replacing its previous one. */
    public void report(Principal p, UUID deviceId, ConnectivityReport report) {
        if (report == null) {
            throw ApiError.missing("nat_type");
        }
        validate(deviceId, report);
        db.write(tx -> {
            DeviceStore.Row row =
                    DeviceTokenAccess.itself(tx, p, deviceId, devices, memberships, "reports its connectivity");
            if (!store.put(tx, deviceId, row.device().vpcId(), report.natType(), report.peers(), tx.now())) {
                throw ApiError.notFound("device");
            }
            return null;
        });
    }

    /** Who reaches whom in the VPC, for whoever may read it (not registration keys). */
    public VpcConnectivity view(Principal p, UUID vpcId) {
        Principal.denyRegKey(p);
        return db.read(tx -> {
            vpcs.readable(tx, p, vpcId);
            List<Device> members = devices.listInVpcAbove(tx, vpcId, 0);
            return ConnectivityView.build(
                    vpcId, members, store.inVpc(tx, vpcId, tx.now().minus(EXPIRE_AFTER)), tx.now(), STALE_AFTER);
        });
    }

    static void validate(UUID self, ConnectivityReport r) {
        if (r.natType() == null) {
            throw ApiError.missing("nat_type");
        }
        if (!WORD.matcher(r.natType()).matches()) {
            throw ApiError.invalid("nat_type", "a lower-case word (letters, digits, -), e.g. cone");
        }
        Set<UUID> seen = new HashSet<>();
        List<PeerConnectivity> peers = r.peers();
        for (int i = 0; i < peers.size(); i++) {
            PeerConnectivity peer = peers.get(i);
            String at = "peers[" + i + "].";
            if (peer.deviceId() == null) {
                throw ApiError.missing(at + "device_id");
            }
            if (peer.deviceId().equals(self)) {
                throw ApiError.invalid(at + "device_id", "the reporting device itself");
            }
            if (!seen.add(peer.deviceId())) {
                throw ApiError.invalid(at + "device_id", "listed twice");
            }
            if (peer.method() != null && !WORD.matcher(peer.method()).matches()) {
                throw ApiError.invalid(at + "method", "a lower-case word (letters, digits, -), e.g. reflexive");
            }
            if (peer.relay() != null && !WORD.matcher(peer.relay()).matches()) {
                throw ApiError.invalid(at + "relay", "a lower-case word (letters, digits, -), e.g. public-derp");
            }
        }
    }
}
