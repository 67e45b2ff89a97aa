package io.nexodus.server.auth;

import io.nexodus.api.model.Notice;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.watch.Topics;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Local login accounts of the built-in identity provider. */
public final class Accounts {
    /** An account (without its password hash). */
    public record Account(UUID id, String username, String fullName, String email, boolean admin) {}

    private record WithHash(Account account, String hash) {}

    private final Database db;
    private final PasswordHasher hasher;

    public Accounts(Database db, PasswordHasher hasher) {
        this.db = db;
        this.hasher = hasher;
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    private static final String COLS = "id, username, full_name, email, is_admin, password_hash";

    public Optional<Account> find(UUID id) {
        return db.read(tx -> tx.queryOne(
                "SELECT " + COLS + " FROM accounts WHERE id = ?",
                rs -> new Account(
                        Cols.uuid(rs, "id"),
                        rs.getString("username"),
                        rs.getString("full_name"),
                        rs.getString("email"),
                        rs.getBoolean("is_admin")),
                id));
    }

    public Optional<Account> findByUsername(String username) {
        return db.read(tx -> tx.queryOne(
                "SELECT " + COLS + " FROM accounts WHERE username = ?",
                rs -> new Account(
                        Cols.uuid(rs, "id"),
                        rs.getString("username"),
                        rs.getString("full_name"),
                        rs.getString("email"),
                        rs.getBoolean("is_admin")),
                username));
    }

    /** The account if the password is right; costs a full hash either way (no user enumeration by timing). */
    public Optional<Account> authenticate(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        Optional<WithHash> w = db.read(tx -> tx.queryOne(
                "SELECT " + COLS + " FROM accounts WHERE username = ?",
                rs -> new WithHash(
                        new Account(
                                Cols.uuid(rs, "id"),
                                rs.getString("username"),
                                rs.getString("full_name"),
                                rs.getString("email"),
                                rs.getBoolean("is_admin")),
                        rs.getString("password_hash")),
                username));
        boolean ok = hasher.verify(password, w.map(WithHash::hash).orElse(null));
        return ok ? w.map(WithHash::account) : Optional.empty();
    }

    /** Creates an account; empty if the username is taken. */
    public Optional<Account> create(String username, String password, String fullName, String email, boolean admin) {
        String hash = hasher.hash(password);
        UUID id = UUID.randomUUID();
        return db.write(tx -> {
            if (tx.exists("SELECT 1 FROM accounts WHERE username = ?", username)) {
                return Optional.<Account>empty();
            }
            tx.update(
                    "INSERT INTO accounts (id, username, password_hash, full_name, email, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    id,
                    username,
                    hash,
                    fullName == null ? "" : fullName,
                    email,
                    admin,
                    tx.now());
            tx.signal(Topics.notice(Notice.USERS, Topics.EVERYONE));
            return Optional.of(new Account(id, username, fullName == null ? "" : fullName, email, admin));
        });
    }

    public List<Account> list() {
        return db.read(tx -> tx.query(
                "SELECT " + COLS + " FROM accounts ORDER BY username",
                rs -> new Account(
                        Cols.uuid(rs, "id"),
                        rs.getString("username"),
                        rs.getString("full_name"),
                        rs.getString("email"),
                        rs.getBoolean("is_admin"))));
    }

    public boolean anyAdmin() {
        return db.read(tx -> tx.exists("SELECT 1 FROM accounts WHERE is_admin = TRUE"));
    }
}
