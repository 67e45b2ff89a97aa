package io.nexodus.server.relay;

import io.nexodus.api.model.Notice;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The SQL of the relays administrators added ({@code public_relays}: one DERP node per region). */
public final class RelayStore {
    private static final String COLS =
            "region_id, region_code, region_name, host_name, ipv4, ipv6, derp_port, stun_port, ca_pem";

    private static RelayRegion map(ResultSet rs) throws SQLException {
        int id = rs.getInt("region_id");
        String host = rs.getString("host_name");
        int derpPort = rs.getInt("derp_port");
        String ca = rs.getString("ca_pem");
        RelayNode node = new RelayNode(
                id + "nex",
                id,
                host,
                rs.getString("ipv4"),
                rs.getString("ipv6"),
                derpPort,
                rs.getInt("stun_port"),
                Relays.url(host, derpPort),
                ca != null,
                ca);
        return new RelayRegion(id, rs.getString("region_code"), rs.getString("region_name"), false, List.of(node));
    }

    public List<RelayRegion> list(Tx tx) throws SQLException {
        return tx.query("SELECT " + COLS + " FROM public_relays ORDER BY region_id", RelayStore::map);
    }

    public Optional<RelayRegion> find(Tx tx, int regionId) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM public_relays WHERE region_id = ?", RelayStore::map, regionId);
    }

    public Optional<Integer> regionIdByCode(Tx tx, String code) throws SQLException {
        return tx.queryOne("SELECT region_id FROM public_relays WHERE region_code = ?", rs -> rs.getInt(1), code);
    }

    public List<Integer> regionIds(Tx tx) throws SQLException {
        return tx.query("SELECT region_id FROM public_relays ORDER BY region_id", rs -> rs.getInt(1));
    }

    /** Stores a region with its one node; the node's id and URL are derived from the region and host. */
    public void insert(Tx tx, RelayRegion r) throws SQLException {
        RelayNode n = r.nodes().getFirst();
        tx.update(
                "INSERT INTO public_relays (" + COLS + ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.regionId(),
                r.regionCode(),
                r.regionName(),
                n.hostName(),
                n.ipv4(),
                n.ipv6(),
                n.derpPort(),
                n.stunPort(),
                n.caPem(),
                tx.now());
        tx.signal(Topics.notice(Notice.RELAYS, Topics.EVERYONE));
    }

    public void delete(Tx tx, int regionId) throws SQLException {
        tx.update("DELETE FROM public_relays WHERE region_id = ?", regionId);
        tx.signal(Topics.notice(Notice.RELAYS, Topics.EVERYONE));
    }
}
