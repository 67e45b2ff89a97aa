package io.nexodus.server.ipam;

import io.nexodus.server.db.Tx;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of address management: pools ({@code ipam_pools}: a CIDR and a next-free hint), allocations
 * ({@code ipam_addresses}: unique per pool and offset, so a duplicate address is impossible even across replicas) and
 * advertised CIDRs ({@code advertised_cidrs}, per VPC and device).
 */
public final class IpamStore {
    /** A pool: its CIDR and the offset to try first. */
    record Pool(Cidr cidr, long nextOffset) {}

    /** An allocated address of a device: its pool and offset. */
    record Allocation(String poolId, long offset) {}

    /** A CIDR advertised by a device. */
    record Advertised(Cidr cidr, UUID deviceId) {}

    Optional<Pool> pool(Tx tx, String poolId) throws SQLException {
        return tx.queryOne(
                "SELECT cidr, next_offset FROM ipam_pools WHERE id = ?",
                rs -> new Pool(Cidr.parse(rs.getString(1)), rs.getLong(2)),
                poolId);
    }

    /** Creates a pool if there is none with this id. */
    void ensurePool(Tx tx, String poolId, Cidr cidr) throws SQLException {
        if (!tx.exists("SELECT 1 FROM ipam_pools WHERE id = ?", poolId)) {
            tx.update("INSERT INTO ipam_pools (id, cidr, next_offset) VALUES (?, ?, 1)", poolId, cidr.toString());
        }
    }

    void setNextOffset(Tx tx, String poolId, long next) throws SQLException {
        tx.update("UPDATE ipam_pools SET next_offset = ? WHERE id = ?", next, poolId);
    }

    /** Lowers the pool's next-free hint to {@code offset} if it is above it. */
    void lowerNextOffset(Tx tx, String poolId, long offset) throws SQLException {
        tx.update("UPDATE ipam_pools SET next_offset = ? WHERE id = ? AND next_offset > ?", offset, poolId, offset);
    }

    boolean taken(Tx tx, String poolId, long offset) throws SQLException {
        return tx.exists("SELECT 1 FROM ipam_addresses WHERE pool_id = ? AND address_offset = ?", poolId, offset);
    }

    /** Up to {@code limit} taken offsets from {@code from} on, in order. */
    List<Long> takenFrom(Tx tx, String poolId, long from, int limit) throws SQLException {
        return tx.query(
                "SELECT address_offset FROM ipam_addresses WHERE pool_id = ? AND address_offset >= ? "
                        + "ORDER BY address_offset LIMIT " + limit,
                rs -> rs.getLong(1),
                poolId,
                from);
    }

    void allocate(Tx tx, String poolId, long offset, String address, UUID deviceId) throws SQLException {
        tx.update(
                "INSERT INTO ipam_addresses (pool_id, address_offset, address, device_id) VALUES (?, ?, ?, ?)",
                poolId,
                offset,
                address,
                deviceId);
    }

    List<Allocation> allocations(Tx tx, UUID deviceId) throws SQLException {
        return tx.query(
                "SELECT pool_id, address_offset FROM ipam_addresses WHERE device_id = ?",
                rs -> new Allocation(rs.getString(1), rs.getLong(2)),
                deviceId);
    }

    /** Frees every address and advertised CIDR of a device. */
    void releaseDevice(Tx tx, UUID deviceId) throws SQLException {
        tx.update("DELETE FROM ipam_addresses WHERE device_id = ?", deviceId);
        tx.update("DELETE FROM advertised_cidrs WHERE device_id = ?", deviceId);
    }

    void dropPool(Tx tx, String poolId) throws SQLException {
        tx.update("DELETE FROM ipam_addresses WHERE pool_id = ?", poolId);
        tx.update("DELETE FROM ipam_pools WHERE id = ?", poolId);
    }

    List<Advertised> advertisedInVpc(Tx tx, UUID vpcId) throws SQLException {
        return tx.query(
                "SELECT cidr, device_id FROM advertised_cidrs WHERE vpc_id = ?",
                rs -> new Advertised(Cidr.parse(rs.getString(1)), rs.getObject(2, UUID.class)),
                vpcId);
    }

    void forgetAdvertised(Tx tx, UUID deviceId) throws SQLException {
        tx.update("DELETE FROM advertised_cidrs WHERE device_id = ?", deviceId);
    }

    void forgetAdvertisedInVpc(Tx tx, UUID vpcId) throws SQLException {
        tx.update("DELETE FROM advertised_cidrs WHERE vpc_id = ?", vpcId);
    }

    void advertise(Tx tx, UUID vpcId, Cidr cidr, UUID deviceId) throws SQLException {
        tx.update(
                "INSERT INTO advertised_cidrs (vpc_id, cidr, device_id) VALUES (?, ?, ?)",
                vpcId,
                cidr.toString(),
                deviceId);
    }
}
