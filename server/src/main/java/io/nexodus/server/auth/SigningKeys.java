package io.nexodus.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.nexodus.server.db.Database;
import java.text.ParseException;
import java.util.List;
import java.util.UUID;

/**
 * The RSA key(s) the built-in issuer signs with (RS256, as upstream's {@code /device/certs}), kept in the database so
 * tokens survive restarts and every replica shares them. The oldest key signs; all are published and accepted.
 */
public final class SigningKeys {
    private final List<RSAKey> keys;

    private SigningKeys(List<RSAKey> keys) {
        this.keys = keys;
    }

    public static SigningKeys loadOrCreate(Database db) {
        List<RSAKey> keys = load(db);
        if (keys.isEmpty()) {
            try {
                RSAKey k = new RSAKeyGenerator(2048)
                        .keyID(UUID.randomUUID().toString())
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.RS256)
                        .generate();
                db.write(tx -> tx.update(
                        "INSERT INTO signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)",
                        k.getKeyID(),
                        k.toJSONString(),
                        tx.now()));
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot generate the signing key", e);
            }
            keys = load(db); // another replica may have raced us: the oldest key wins everywhere
        }
        return new SigningKeys(keys);
    }

    private static List<RSAKey> load(Database db) {
        return db.read(tx -> tx.query("SELECT jwk FROM signing_keys ORDER BY created_at, kid", rs -> {
            try {
                return RSAKey.parse(rs.getString(1));
            } catch (ParseException e) {
                throw new IllegalStateException("corrupt signing key", e);
            }
        }));
    }

    public RSAKey signingKey() {
        return keys.get(0);
    }

    /** Public keys only. */
    public JWKSet publicSet() {
        return new JWKSet(keys.stream().map(k -> (JWK) k.toPublicJWK()).toList());
    }

    public JWKSet fullSet() {
        return new JWKSet(keys.stream().map(k -> (JWK) k).toList());
    }
}
