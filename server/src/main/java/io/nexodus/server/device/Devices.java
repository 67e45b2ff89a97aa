package io.nexodus.server.device;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.OpaqueTokens;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.DatabaseException;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.vpc.VpcAccess;
import io.nexodus.server.vpc.Vpcs;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Devices: registration (IPAM, the device token sealed to the device's key), updates (including moving to another
 * VPC), deletion (addresses released). Who may do what is {@link DeviceAccess}; request fields are checked by
 * {@link DeviceRequests} first. Every write takes the revision lock, so addresses are allocated one writer at a time
 * service-wide, and signals the VPC's device (and metadata) watchers after commit.
 */
public final class Devices {
    /**
     * The start of the {@code reason} of a 410 to a registration with the key of a device a user deleted; agents
     * recognize it (with the status) and stop instead of registering again.
     */
    public static final String DEVICE_DELETED = "device deleted";

    private final Database db;
    private final DeviceStore store;
    private final MetadataStore metadata;
    private final DeviceAccess access;
    private final VpcAccess vpcs;
    private final SecurityGroups groups;
    private final Ipam ipam;
    private final FeatureFlags flags;
    private final Counter registrations;

    public Devices(
            Database db,
            DeviceStore store,
            MetadataStore metadata,
            Memberships memberships,
            VpcAccess vpcs,
            SecurityGroups groups,
            Ipam ipam,
            FeatureFlags flags,
            MeterRegistry meters) {
        this.db = db;
        this.store = store;
        this.metadata = metadata;
        this.access = new DeviceAccess(store, memberships);
        this.vpcs = vpcs;
        this.groups = groups;
        this.ipam = ipam;
        this.flags = flags;
        this.registrations = Counter.builder("nexodus.devices.registered")
                .description("devices created")
                .register(meters);
    }

    /** Who may read and change devices (shared with their metadata). */
    DeviceAccess access() {
        return access;
    }

    /** Devices in the caller's organizations. */
    public List<Device> list(Principal p) {
        return db.read(tx -> store.listForMember(tx, p.ownerId()));
    }

    public Device get(Principal p, UUID id) {
        return db.read(tx -> DeviceAccess.present(access.readable(tx, p, id), p));
    }

    /**
     * Registers a device (a user, or an {@code RK:} token into its VPC). The checks that need no lock (VPC, security
     * group, duplicate public key, used single-use key) run before the revision lock; a duplicate that slips in
     * meanwhile fails the unique indexes and is answered the same way (409 with the existing id, or 400).
     */
    public Device register(Principal p, AddDevice request) {
        flags.require(FeatureFlags.DEVICES);
        if (p instanceof Principal.DevicePrincipal) {
            throw ApiError.forbidden("a device token cannot register devices");
        }
        AddDevice in = DeviceRequests.validate(request);
        if (p instanceof Principal.RegKeyPrincipal rk && !rk.vpcId().equals(in.vpcId())) {
            throw ApiError.invalid("vpc_id", "the registration key is for VPC " + rk.vpcId());
        }
        String requested = DeviceRequests.requestedAddress(in);
        // outside the transaction: nothing below depends on the database
        String token = OpaqueTokens.generate(OpaqueTokens.DEVICE);
        String sealed = SealedToken.seal(NodePublicKey.fromBase64(in.publicKey()), token);
        String tokenHash = OpaqueTokens.hash(token);
        DeviceStore.Row row;
        try {
            row = db.write(tx -> insert(tx, p, in, requested, tokenHash, sealed));
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) {
                throw e;
            }
            // registered concurrently with the same public key (or the same single-use key): answer as if we had seen
            // it
            Optional<UUID> existing = db.read(tx -> store.idByPublicKey(tx, in.publicKey()));
            if (existing.isPresent()) {
                throw ApiError.conflict(existing.get());
            }
            if (p instanceof Principal.RegKeyPrincipal rk && rk.deviceId() != null) {
                throw ApiError.notAllowed("single use reg key exhausted");
            }
            throw e;
        }
        registrations.increment();
        return DeviceAccess.present(row, p);
    }

    private DeviceStore.Row insert(Tx tx, Principal p, AddDevice in, String requested, String tokenHash, String sealed)
            throws SQLException {
        Vpc vpc = vpcs.readable(tx, p, in.vpcId());
        UUID regKeyId = null;
        UUID sg = in.securityGroupId();
        UUID id = UUID.randomUUID();
        if (p instanceof Principal.RegKeyPrincipal rk) {
            regKeyId = rk.regKeyId();
            if (sg == null) {
                sg = rk.securityGroupId();
            }
            if (rk.deviceId() != null) {
                id = rk.deviceId();
            }
        }
        if (sg == null) {
            sg = vpc.id();
        }
        // checks before the lock; a duplicate that slips in meanwhile fails the unique indexes (see register)
        groups.requireInVpc(tx, sg, vpc.id());
        Optional<UUID> existing = store.idByPublicKey(tx, in.publicKey());
        if (existing.isPresent()) {
            throw ApiError.conflict(existing.get());
        }
        Optional<DeviceStore.DeletedKey> deleted = store.deletedKey(tx, in.publicKey());
        if (deleted.isPresent()) {
            // an agent that was offline while its device was deleted must not bring it back by itself
            throw ApiError.gone(DEVICE_DELETED + ": device " + deleted.get().deviceId() + " with this public key was "
                    + "deleted at " + deleted.get().deletedAt() + " by user "
                    + deleted.get().deletedBy()
                    + "; to join again, register a new key");
        }
        if (p instanceof Principal.RegKeyPrincipal rk && rk.deviceId() != null && store.everExisted(tx, id)) {
            throw ApiError.notAllowed("single use reg key exhausted");
        }
        tx.lockRevisions(); // from here on, one writer at a time (service-wide): keep this part short
        Addresses a = allocate(tx, vpc, id, requested);
        List<String> advertised =
                in.advertiseCidrs() == null || in.advertiseCidrs().isEmpty()
                        ? List.of()
                        : ipam.setAdvertised(tx, vpc.id(), id, in.advertiseCidrs(), Vpcs.prefixes(vpc), false);
        Device d = new Device(
                id,
                p.ownerId(),
                vpc.id(),
                in.publicKey(),
                a.allowedIps(),
                a.v4(),
                a.v6(),
                advertised,
                in.relay(),
                in.symmetricNat(),
                in.hostname(),
                in.os(),
                in.endpoints(),
                tx.nextRevision(),
                sg,
                false,
                null,
                null);
        store.insert(tx, d, vpc.organizationId(), regKeyId, tokenHash, sealed);
        tx.signal(Topics.of(Watch.KIND_DEVICE, vpc.id()));
        return new DeviceStore.Row(d, vpc.organizationId(), regKeyId, sealed);
    }

    /**
     * Changes a device. Moving it to another VPC (users only) draws new addresses when the address pool differs,
     * re-checks its advertised CIDRs there, and makes its watchers in the old VPC see it (and its metadata) go.
     */
    public Device update(Principal p, UUID id, UpdateDevice request) {
        UpdateDevice in = DeviceRequests.validate(request);
        DeviceStore.Row row = db.write(tx -> {
            tx.lockRevisions();
            DeviceStore.Row cur = access.writable(tx, p, id);
            Device d = cur.device();
            if (in.revision() != null && in.revision() != 0 && in.revision() != d.revision()) {
                throw ApiError.conflict(id);
            }
            Vpc vpc = vpcs.find(tx, d.vpcId());
            boolean moving = in.vpcId() != null && !in.vpcId().equals(d.vpcId());
            List<TunnelIp> v4 = d.ipv4TunnelIps(), v6 = d.ipv6TunnelIps();
            List<String> allowed = d.allowedIps();
            UUID sg = in.securityGroupId() != null ? in.securityGroupId() : d.securityGroupId();
            if (moving) {
                if (!(p instanceof Principal.UserPrincipal)) {
                    throw ApiError.invalid("vpc_id", "only a user may move a device to another VPC");
                }
                Vpc target = vpcs.readable(tx, p, in.vpcId());
                departFromVpc(tx, d);
                String oldPool = Ipam.poolId(vpc.id(), vpc.privateCidr(), false),
                        newPool = Ipam.poolId(target.id(), target.privateCidr(), false);
                if (!oldPool.equals(newPool)) {
                    ipam.releaseDevice(tx, id);
                    Addresses a = allocate(tx, target, id, null);
                    v4 = a.v4();
                    v6 = a.v6();
                    allowed = a.allowedIps();
                }
                if (in.securityGroupId() == null) {
                    sg = target.id();
                }
                store.moveTo(tx, id, target.id(), target.organizationId());
                vpc = target;
            }
            if (in.securityGroupId() != null || moving) {
                groups.requireInVpc(tx, sg, vpc.id());
            }
            List<String> advertised = d.advertiseCidrs();
            if (in.advertiseCidrs() != null || moving) {
                advertised = ipam.setAdvertised(
                        tx,
                        vpc.id(),
                        id,
                        in.advertiseCidrs() != null ? in.advertiseCidrs() : d.advertiseCidrs(),
                        Vpcs.prefixes(vpc),
                        true);
            }
            store.update(
                    tx,
                    new Device(
                            id,
                            d.ownerId(),
                            vpc.id(),
                            d.publicKey(),
                            allowed,
                            v4,
                            v6,
                            advertised,
                            in.relay() != null ? in.relay() : d.relay(),
                            in.symmetricNat() != null ? in.symmetricNat() : d.symmetricNat(),
                            in.hostname() != null ? in.hostname() : d.hostname(),
                            d.os(),
                            in.endpoints() != null ? in.endpoints() : d.endpoints(),
                            tx.nextRevision(),
                            sg,
                            d.online(),
                            d.onlineAt(),
                            null));
            if (moving) {
                for (String key : metadata.keys(tx, id)) {
                    metadata.moveTo(tx, id, key, vpc.id(), tx.nextRevision());
                }
                tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpc.id()));
            }
            tx.signal(Topics.of(Watch.KIND_DEVICE, vpc.id()));
            return store.find(tx, id).orElseThrow();
        });
        return DeviceAccess.present(row, p);
    }

    /**
     * Deletes a device (users: its owner or an owner of its organization) and releases its addresses. Its key is
     * remembered, so the agent does not register it again by itself (410 to {@link #register}).
     */
    public Device delete(Principal p, UUID id) {
        if (!(p instanceof Principal.UserPrincipal)) {
            throw ApiError.forbidden("only users may delete devices");
        }
        return db.write(tx -> {
            tx.lockRevisions();
            Device d = access.writable(tx, p, id).device();
            delete(tx, d);
            store.recordDeletedKey(tx, d.publicKey(), d.id(), d.vpcId(), p.ownerId());
            return d;
        });
    }

    /** Soft-deletes a device and its metadata and releases its addresses; also when its user or organization goes. */
    public void delete(Tx tx, Device d) throws SQLException {
        tx.lockRevisions();
        ipam.releaseDevice(tx, d.id());
        for (String key : metadata.keys(tx, d.id())) {
            metadata.delete(tx, d.id(), key, tx.nextRevision());
        }
        store.softDelete(tx, d.id(), tx.nextRevision());
        tx.signal(Topics.of(Watch.KIND_DEVICE, d.vpcId()));
        tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, d.vpcId()));
    }

    /** Watchers of the old VPC must see the device and its metadata go: departures carry them as delete events. */
    private void departFromVpc(Tx tx, Device d) throws SQLException {
        UUID vpcId = d.vpcId();
        store.recordDeparture(tx, Watch.KIND_DEVICE, vpcId, d.id().toString(), tx.nextRevision(), JsonText.write(d));
        for (DeviceMetadata m : metadata.list(tx, d.id())) {
            store.recordDeparture(
                    tx,
                    Watch.KIND_DEVICE_METADATA,
                    vpcId,
                    d.id() + "/" + m.key(),
                    tx.nextRevision(),
                    JsonText.write(m));
        }
        tx.signal(Topics.of(Watch.KIND_DEVICE, vpcId));
        tx.signal(Topics.of(Watch.KIND_DEVICE_METADATA, vpcId));
    }

    private record Addresses(List<TunnelIp> v4, List<TunnelIp> v6, List<String> allowedIps) {}

    private Addresses allocate(Tx tx, Vpc vpc, UUID deviceId, String requested) throws SQLException {
        String a4 = ipam.allocate(tx, Ipam.poolId(vpc.id(), vpc.privateCidr(), false), deviceId, requested);
        String a6 = ipam.allocate(tx, Ipam.poolId(vpc.id(), vpc.privateCidr(), true), deviceId, null);
        return new Addresses(
                List.of(new TunnelIp(a4, vpc.ipv4Cidr())),
                List.of(new TunnelIp(a6, vpc.ipv6Cidr())),
                List.of(a4 + "/32", a6 + "/128"));
    }
}
