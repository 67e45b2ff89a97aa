package io.nexodus.server.user;

import io.nexodus.api.model.Roles;
import io.nexodus.api.model.User;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.DatabaseException;
import io.nexodus.server.db.Tx;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.vpc.Vpcs;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * API users, provisioned on first sight of an identity-provider subject: the user, its identities (subject, verified
 * e-mail), pending e-mail invitations attached, and its default organization, VPC and security group — all with the
 * user's id, as upstream. Concurrent first requests of one new user are safe (the identity row is unique; the loser
 * reads the winner's user).
 */
public final class Users {
    public static final String COLS = "id, username, full_name, picture";

    /** What the identity provider says about the caller. */
    public record Claims(
            String issuer,
            String subject,
            String username,
            String fullName,
            String picture,
            String email,
            boolean emailVerified) {}

    private final Database db;
    private final Ipam ipam;

    public Users(Database db, Ipam ipam) {
        this.db = db;
        this.ipam = ipam;
    }

    public static User map(ResultSet rs) throws SQLException {
        return new User(
                Cols.uuid(rs, "id"), rs.getString("username"), rs.getString("full_name"), rs.getString("picture"));
    }

    public static Optional<User> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM users WHERE id = ? AND deleted_at IS NULL", Users::map, id);
    }

    static String identityKind(String issuer) {
        return "oidc:" + issuer;
    }

    /** The user for these claims, created with its defaults if new; its profile is refreshed when it changed. */
    public User provision(Claims c) {
        for (int attempt = 0; ; attempt++) {
            Optional<User> found = db.read(tx -> lookup(tx, c));
            if (found.isPresent()) {
                User u = found.get();
                User want = new User(u.id(), username(c), nz(c.fullName()), nz(c.picture()));
                if (!want.equals(u)) {
                    db.write(tx -> tx.update(
                            "UPDATE users SET username = ?, full_name = ?, picture = ?, updated_at = ? WHERE id = ?",
                            want.username(),
                            want.fullName(),
                            want.picture(),
                            tx.now(),
                            u.id()));
                }
                return want;
            }
            try {
                return db.write(tx -> {
                    Optional<User> again = lookup(tx, c);
                    return again.isPresent() ? again.get() : create(tx, c);
                });
            } catch (DatabaseException e) {
                if (!e.isUniqueViolation() || attempt > 2) {
                    throw e;
                }
                // another request created this user at the same moment: read theirs
            }
        }
    }

    private static Optional<User> lookup(Tx tx, Claims c) throws SQLException {
        return tx.queryOne(
                "SELECT u.id, u.username, u.full_name, u.picture FROM user_identities i JOIN users u ON u.id = i.user_id "
                        + "WHERE i.kind = ? AND i.identity_value = ? AND u.deleted_at IS NULL",
                Users::map,
                identityKind(c.issuer()),
                c.subject());
    }

    private User create(Tx tx, Claims c) throws SQLException {
        UUID id = UUID.randomUUID();
        String username = username(c);
        tx.update(
                "INSERT INTO users (id, idp_id, username, full_name, picture, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id,
                c.issuer() + "#" + c.subject(),
                username,
                nz(c.fullName()),
                nz(c.picture()),
                tx.now(),
                tx.now());
        tx.update(
                "DELETE FROM user_identities WHERE kind = ? AND identity_value = ?",
                identityKind(c.issuer()),
                c.subject());
        tx.update(
                "INSERT INTO user_identities (kind, identity_value, user_id) VALUES (?, ?, ?)",
                identityKind(c.issuer()),
                c.subject(),
                id);
        if (c.email() != null && c.emailVerified()) {
            String email = c.email().strip().toLowerCase(Locale.ROOT);
            if (!tx.exists("SELECT 1 FROM user_identities WHERE kind = 'email' AND identity_value = ?", email)) {
                tx.update(
                        "INSERT INTO user_identities (kind, identity_value, user_id) VALUES ('email', ?, ?)",
                        email,
                        id);
                tx.update(
                        "UPDATE invitations SET user_id = ? WHERE email = ? AND user_id IS NULL AND deleted_at IS NULL",
                        id,
                        email);
            }
        }
        String orgName = username;
        for (int i = 2; tx.exists("SELECT 1 FROM organizations WHERE name = ?", orgName); i++) {
            orgName = username + "-" + i;
        }
        tx.update(
                "INSERT INTO organizations (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                id,
                orgName,
                username + "'s organization",
                tx.now(),
                tx.now());
        Memberships.add(tx, id, id, List.of(Roles.OWNER));
        Vpcs.insert(tx, ipam, id, id, "default vpc", false, Ipam.SHARED_V4, Ipam.SHARED_V6);
        return new User(id, username, nz(c.fullName()), nz(c.picture()));
    }

    private static String username(Claims c) {
        if (c.username() != null && !c.username().isBlank()) {
            return c.username();
        }
        if (c.fullName() != null && !c.fullName().isBlank()) {
            return c.fullName();
        }
        return c.subject();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
