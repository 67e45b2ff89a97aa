package io.nexodus.server.securitygroup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.Watch;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Security group rows. */
public final class SecurityGroups {
    public static final String COLS =
            "id, vpc_id, organization_id, description, inbound_rules, outbound_rules, revision, deleted_at";
    static final TypeReference<List<SecurityRule>> RULES = new TypeReference<>() {};

    private SecurityGroups() {}

    public static SecurityGroup map(ResultSet rs) throws SQLException {
        return new SecurityGroup(
                Cols.uuid(rs, "id"),
                rs.getString("description"),
                Cols.uuid(rs, "vpc_id"),
                JsonText.read(rs.getString("inbound_rules"), RULES),
                JsonText.read(rs.getString("outbound_rules"), RULES),
                rs.getLong("revision"));
    }

    public static Optional<SecurityGroup> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM security_groups WHERE id = ? AND deleted_at IS NULL",
                SecurityGroups::map,
                id);
    }

    public static SecurityGroup insert(
            Tx tx,
            UUID id,
            UUID vpcId,
            UUID orgId,
            String description,
            List<SecurityRule> inbound,
            List<SecurityRule> outbound)
            throws SQLException {
        long rev = tx.nextRevision();
        tx.update(
                "INSERT INTO security_groups (id, vpc_id, organization_id, description, inbound_rules, outbound_rules, revision, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                vpcId,
                orgId,
                description,
                JsonText.write(inbound),
                JsonText.write(outbound),
                rev,
                tx.now(),
                tx.now());
        tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, vpcId));
        return new SecurityGroup(id, description, vpcId, inbound, outbound, rev);
    }

    /** Soft-deletes every group of a VPC (VPC deletion). */
    public static void deleteAllInVpc(Tx tx, UUID vpcId) throws SQLException {
        for (UUID id : tx.query(
                "SELECT id FROM security_groups WHERE vpc_id = ? AND deleted_at IS NULL",
                rs -> Cols.uuid(rs, "id"),
                vpcId)) {
            tx.update(
                    "UPDATE security_groups SET deleted_at = ?, revision = ? WHERE id = ?",
                    tx.now(),
                    tx.nextRevision(),
                    id);
        }
        tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, vpcId));
    }
}
