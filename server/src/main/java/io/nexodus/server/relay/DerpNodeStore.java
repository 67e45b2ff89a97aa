package io.nexodus.server.relay;

import io.nexodus.api.model.RelayNode;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The SQL of {@code derp_relay_nodes}: one row per replica's relay node, refreshed by its heartbeat. */
final class DerpNodeStore implements NodeTable {
    private static final String COLS =
            "name, public_key, host_name, ipv4, ipv6, derp_port, stun_port, url, custom_ca, ca_pem, last_seen";

    private final Database db;

    DerpNodeStore(Database db) {
        this.db = db;
    }

    private static RegisteredNode map(ResultSet rs) throws SQLException {
        RelayNode n = new RelayNode(
                rs.getString("name"),
                EmbeddedDerpRelay.REGION_ID,
                rs.getString("host_name"),
                rs.getString("ipv4"),
                rs.getString("ipv6"),
                rs.getInt("derp_port"),
                rs.getInt("stun_port"),
                rs.getString("url"),
                rs.getBoolean("custom_ca"),
                rs.getString("ca_pem"));
        return new RegisteredNode(n, rs.getString("public_key"), Cols.instant(rs, "last_seen"));
    }

    @Override
    public void heartbeat(RegisteredNode self) {
        RelayNode n = self.node();
        db.write(tx -> {
            // each replica writes only its own row: no other writer races this update-then-insert
            int updated = tx.update(
                    "UPDATE derp_relay_nodes SET public_key = ?, host_name = ?, ipv4 = ?, ipv6 = ?, derp_port = ?, "
                            + "stun_port = ?, url = ?, custom_ca = ?, ca_pem = ?, last_seen = ? WHERE name = ?",
                    self.publicKey(),
                    n.hostName(),
                    n.ipv4(),
                    n.ipv6(),
                    n.derpPort(),
                    n.stunPort(),
                    n.url(),
                    n.customCa(),
                    n.caPem(),
                    self.lastSeen(),
                    n.name());
            if (updated == 0) {
                tx.update(
                        "INSERT INTO derp_relay_nodes (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        n.name(),
                        self.publicKey(),
                        n.hostName(),
                        n.ipv4(),
                        n.ipv6(),
                        n.derpPort(),
                        n.stunPort(),
                        n.url(),
                        n.customCa(),
                        n.caPem(),
                        self.lastSeen());
            }
            return null;
        });
    }

    @Override
    public List<RegisteredNode> list() {
        return db.read(tx -> tx.query("SELECT " + COLS + " FROM derp_relay_nodes", DerpNodeStore::map));
    }

    @Override
    public void remove(String name) {
        db.write(tx -> tx.update("DELETE FROM derp_relay_nodes WHERE name = ?", name));
    }

    @Override
    public void forgetOlderThan(Instant cutoff) {
        db.write(tx -> tx.update("DELETE FROM derp_relay_nodes WHERE last_seen < ?", cutoff));
    }
}
