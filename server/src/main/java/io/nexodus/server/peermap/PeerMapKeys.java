package io.nexodus.server.peermap;

import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.server.db.Database;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import java.util.UUID;

/**
 * The Ed25519 key the service signs peer maps with, kept in the database ({@code peer_map_keys}) so maps survive
 * restarts and every replica signs with the same key. Created by the first start (under the first-start lock on
 * PostgreSQL, so replicas started together do not each make one); should two ever exist, the oldest signs everywhere.
 */
public final class PeerMapKeys {
    private record Stored(String keyId, String privateKey, String publicKey) {}

    private final PeerMapKey published;
    private final PrivateKey privateKey;

    private PeerMapKeys(Stored k) {
        this.published = new PeerMapKey(k.keyId(), PeerMapKey.ED25519, k.publicKey());
        this.privateKey = PeerMapSignature.decodePrivate(k.privateKey());
    }

    public static PeerMapKeys loadOrCreate(Database db) {
        List<Stored> keys = load(db);
        if (keys.isEmpty()) {
            KeyPair pair = PeerMapSignature.generate();
            String id = UUID.randomUUID().toString();
            db.write(tx -> tx.update(
                    "INSERT INTO peer_map_keys (key_id, private_key, public_key, created_at) VALUES (?, ?, ?, ?)",
                    id,
                    PeerMapSignature.encodePrivate(pair.getPrivate()),
                    PeerMapSignature.encodePublic(pair.getPublic()),
                    tx.now()));
            keys = load(db); // another replica may have raced us: the oldest key wins everywhere
        }
        return new PeerMapKeys(keys.getFirst());
    }

    private static List<Stored> load(Database db) {
        return db.read(tx -> tx.query(
                "SELECT key_id, private_key, public_key FROM peer_map_keys ORDER BY created_at, key_id",
                rs -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3))));
    }

    /** The public key, as {@code GET /api/peer-map/key} answers. */
    public PeerMapKey published() {
        return published;
    }

    PrivateKey privateKey() {
        return privateKey;
    }
}
