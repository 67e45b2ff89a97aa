package io.nexodus.server.ipam;

import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * In-process IP address management, transactional with device writes. Pools and allocations are rows
 * ({@link IpamStore}), allocations keyed by (pool, offset) so a duplicate address is impossible even with two replicas; callers
 * hold the revision lock ({@link Tx#lockRevisions()}), which serializes allocation service-wide. The lowest free
 * address is handed out (a released address is reused first, as upstream's go-ipam does).
 * <p>
 * Shared-CIDR VPCs draw from one service-wide pair of pools ({@link #SHARED_V4}, {@link #SHARED_V6}) so device
 * addresses are unique across VPCs; private-CIDR VPCs have their own pools.
 */
public final class Ipam {
    /** RFC 6598 shared address space (CG-NAT), as upstream. */
    public static final String SHARED_V4 = "100.64.0.0/10";
    /**
     * A ULA /64 (RFC 4193: fd00::/8 + 40-bit global id 6e:6578:6f64 = ASCII "nexod", subnet 0). Upstream used
     * 200::/64, which is global unicast space that belongs to someone else.
     */
    public static final String SHARED_V6 = "fd6e:6578:6f64::/64";
    /** v6 pools never hand out offsets beyond this (a /64 has more than any VPC needs). */
    private static final BigInteger V6_MAX_OFFSET = BigInteger.ONE.shiftLeft(62);

    private static final int SCAN_BATCH = 512;

    private final IpamStore store;
    private final SecureRandom random = new SecureRandom();

    public Ipam(IpamStore store) {
        this.store = store;
    }

    public static String sharedPoolId(boolean v6) {
        return v6 ? "shared-v6" : "shared-v4";
    }

    public static String privatePoolId(UUID vpcId, boolean v6) {
        return vpcId + (v6 ? "-v6" : "-v4");
    }

    /** The pool a VPC draws from. */
    public static String poolId(UUID vpcId, boolean privateCidr, boolean v6) {
        return privateCidr ? privatePoolId(vpcId, v6) : sharedPoolId(v6);
    }

    /** Creates a pool if missing (idempotent). */
    public void ensurePool(Tx tx, String poolId, Cidr cidr) throws SQLException {
        store.ensurePool(tx, poolId, cidr);
    }

    /**
     * A random ULA /64 (RFC 4193 §3.2: random 40-bit global id) for a private VPC without an IPv6 CIDR, in the same
     * canonical text as every other CIDR (RFC 5952: {@code fd12:34:5::/64}, not {@code fd12:0034:0005::/64}), so it
     * matches the device addresses drawn from it.
     */
    public String randomUla64() {
        byte[] gid = new byte[5];
        random.nextBytes(gid);
        return Cidr.parse(String.format(
                        "fd%02x:%02x%02x:%02x%02x::/64",
                        gid[0] & 0xff, gid[1] & 0xff, gid[2] & 0xff, gid[3] & 0xff, gid[4] & 0xff))
                .toString();
    }

    /**
     * Allocates an address for {@code deviceId}: {@code requested} when it is inside the pool and free, otherwise the
     * lowest free one. Returns the address text. 409-style ApiError when the pool is full.
     */
    public String allocate(Tx tx, String poolId, UUID deviceId, String requested) throws SQLException {
        tx.lockRevisions();
        IpamStore.Pool pool = store.pool(tx, poolId).orElseThrow(() -> new SQLException("no IPAM pool " + poolId));
        Cidr cidr = pool.cidr();
        long next = pool.nextOffset();
        long max = maxOffset(cidr);
        if (requested != null && !requested.isBlank()) {
            BigInteger off = cidr.offsetOf(requested);
            if (off.signum() > 0 && off.longValue() <= max && !store.taken(tx, poolId, off.longValue())) {
                insert(tx, poolId, off.longValue(), cidr, deviceId);
                return cidr.addressAt(off);
            }
        }
        long found = firstFree(tx, poolId, Math.max(1, next), max);
        if (found < 0 && next > 1) {
            found = firstFree(tx, poolId, 1, Math.min(max, next - 1));
        }
        if (found < 0) {
            throw ApiError.notAllowed("address pool " + cidr + " is exhausted");
        }
        insert(tx, poolId, found, cidr, deviceId);
        store.setNextOffset(tx, poolId, found + 1);
        return cidr.addressAt(BigInteger.valueOf(found));
    }

    private static long maxOffset(Cidr cidr) {
        BigInteger size = cidr.size();
        // IPv4: the network and broadcast addresses are never handed out
        BigInteger max = cidr.v6() ? size.subtract(BigInteger.ONE).min(V6_MAX_OFFSET) : size.subtract(BigInteger.TWO);
        return max.longValue();
    }

    /** The lowest free offset in [from, to], or -1. Reads taken offsets in batches, so sparse pools cost one query. */
    private long firstFree(Tx tx, String poolId, long from, long to) throws SQLException {
        long candidate = from;
        while (candidate <= to) {
            List<Long> taken = store.takenFrom(tx, poolId, candidate, SCAN_BATCH);
            for (long t : taken) {
                if (t > candidate) {
                    return candidate <= to ? candidate : -1;
                }
                candidate = t + 1;
            }
            if (taken.size() < SCAN_BATCH) {
                return candidate <= to ? candidate : -1;
            }
        }
        return -1;
    }

    private void insert(Tx tx, String poolId, long off, Cidr cidr, UUID deviceId) throws SQLException {
        store.allocate(tx, poolId, off, cidr.addressAt(BigInteger.valueOf(off)), deviceId);
    }

    /** Releases every address of a device and lowers the pools' next-free hints. */
    public void releaseDevice(Tx tx, UUID deviceId) throws SQLException {
        tx.lockRevisions();
        for (IpamStore.Allocation a : store.allocations(tx, deviceId)) {
            store.lowerNextOffset(tx, a.poolId(), a.offset());
        }
        store.releaseDevice(tx, deviceId);
    }

    /** Forgets every advertised CIDR in a VPC (VPC deletion). */
    public void dropAdvertised(Tx tx, UUID vpcId) throws SQLException {
        store.forgetAdvertisedInVpc(tx, vpcId);
    }

    /** Drops a private VPC's pools (they must be empty). */
    public void dropPools(Tx tx, UUID vpcId) throws SQLException {
        for (boolean v6 : new boolean[] {false, true}) {
            store.dropPool(tx, privatePoolId(vpcId, v6));
        }
    }

    /**
     * Replaces the advertised CIDRs of a device in a VPC. Default routes (exit nodes) are not registered. Invalid input,
     * an overlap among the list or with the VPC's tunnel prefixes is a 400 on {@code advertise_cidrs}; an overlap with
     * another device's advertised CIDR in the same VPC is a 409 whose message names that device. The 409's
     * {@code id} is that device only when {@code conflictId} (an update): on a registration, upstream's agents read a
     * 409's id as "this key is registered already, update that device", so there it stays empty. Returns the
     * canonical list (as given order, normalized).
     */
    public List<String> setAdvertised(
            Tx tx, UUID vpcId, UUID deviceId, List<String> cidrs, List<Cidr> vpcPrefixes, boolean conflictId)
            throws SQLException {
        tx.lockRevisions();
        List<Cidr> parsed = new ArrayList<>();
        for (String s : cidrs) {
            try {
                parsed.add(Cidr.parse(s));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("advertise_cidrs", e.getMessage());
            }
        }
        for (int i = 0; i < parsed.size(); i++) {
            for (int j = i + 1; j < parsed.size(); j++) {
                if (!parsed.get(i).isDefaultRoute()
                        && !parsed.get(j).isDefaultRoute()
                        && parsed.get(i).overlaps(parsed.get(j))) {
                    throw ApiError.invalid("advertise_cidrs", parsed.get(i) + " overlaps " + parsed.get(j));
                }
            }
        }
        store.forgetAdvertised(tx, deviceId);
        List<IpamStore.Advertised> others = store.advertisedInVpc(tx, vpcId);
        List<String> out = new ArrayList<>();
        for (Cidr c : parsed) {
            out.add(c.toString());
            if (c.isDefaultRoute()) {
                continue;
            }
            for (Cidr p : vpcPrefixes) {
                if (c.overlaps(p)) {
                    throw ApiError.invalid("advertise_cidrs", c + " overlaps the VPC's tunnel prefix " + p);
                }
            }
            for (IpamStore.Advertised o : others) {
                if (c.overlaps(o.cidr())) {
                    throw ApiError.conflict(
                            conflictId ? o.deviceId() : null,
                            "advertise_cidrs: " + c + " overlaps " + o.cidr() + " advertised by device "
                                    + o.deviceId());
                }
            }
            store.advertise(tx, vpcId, c, deviceId);
        }
        return out;
    }
}
