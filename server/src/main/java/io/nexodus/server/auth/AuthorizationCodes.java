package io.nexodus.server.auth;

import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Codes of the authorization code grant with PKCE (RFC 7636, S256 only). The only client is the web console, a public
 * client served by the service itself: its redirect URI must be the console's own URL, so a code never leaves the
 * service's origin. A code lives for a minute and is deleted on first use; only its hash is stored (in the database,
 * so any replica can redeem it).
 */
final class AuthorizationCodes {
    static final String CONSOLE_CLIENT_ID = "nexodus-console";
    static final String CONSOLE_PATH = "/console/";
    private static final Duration TTL = Duration.ofMinutes(1);

    /** What a redeemed code was issued for. */
    record Grant(UUID accountId, String clientId, String scope) {}

    private final Database db;
    private final Clock clock;

    AuthorizationCodes(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Checks an authorization request: the reason it is refused, or empty. Refused requests are answered on the
     * service's page, never by redirecting (the redirect URI is only trusted once it matched).
     */
    static Optional<String> refusal(
            String publicUrl,
            String clientId,
            String redirectUri,
            String responseType,
            String challenge,
            String challengeMethod) {
        if (!CONSOLE_CLIENT_ID.equals(clientId)) {
            return Optional.of("unknown client_id (only " + CONSOLE_CLIENT_ID + " uses this endpoint)");
        }
        if (!(publicUrl + CONSOLE_PATH).equals(redirectUri)) {
            return Optional.of("redirect_uri must be " + publicUrl + CONSOLE_PATH);
        }
        if (!"code".equals(responseType)) {
            return Optional.of("response_type must be code");
        }
        if (!"S256".equals(challengeMethod)) {
            return Optional.of("code_challenge_method must be S256");
        }
        if (challenge == null || !challenge.matches("[A-Za-z0-9_-]{43}")) {
            return Optional.of("code_challenge must be the base64url SHA-256 of the code verifier");
        }
        return Optional.empty();
    }

    String issue(UUID accountId, String clientId, String redirectUri, String challenge, String scope) {
        String code = OpaqueTokens.urlSafe();
        Instant now = clock.instant();
        db.write(tx -> {
            tx.update("DELETE FROM authorization_codes WHERE expires_at < ?", now);
            return tx.update(
                    "INSERT INTO authorization_codes (code_hash, account_id, client_id, redirect_uri, code_challenge, scope, expires_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    OpaqueTokens.hash(code),
                    accountId,
                    clientId,
                    redirectUri,
                    challenge,
                    scope,
                    now.plus(TTL));
        });
        return code;
    }

    /** The grant of a code, if the code is known and fresh and the client, redirect URI and verifier match. */
    Optional<Grant> redeem(String code, String clientId, String redirectUri, String verifier) {
        if (code == null || verifier == null || !verifier.matches("[A-Za-z0-9._~-]{43,128}")) {
            return Optional.empty();
        }
        String hash = OpaqueTokens.hash(code);
        Instant now = clock.instant();
        record Row(
                UUID account, String clientId, String redirectUri, String challenge, String scope, Instant expires) {}
        Optional<Row> row = db.write(tx -> {
            Optional<Row> r = tx.queryOne(
                    "SELECT account_id, client_id, redirect_uri, code_challenge, scope, expires_at FROM authorization_codes WHERE code_hash = ?",
                    rs -> new Row(
                            Cols.uuid(rs, "account_id"),
                            rs.getString("client_id"),
                            rs.getString("redirect_uri"),
                            rs.getString("code_challenge"),
                            rs.getString("scope"),
                            Cols.instant(rs, "expires_at")),
                    hash);
            tx.update("DELETE FROM authorization_codes WHERE code_hash = ?", hash); // a code works once
            return r;
        });
        return row.filter(r -> r.expires().isAfter(now)
                        && r.clientId().equals(clientId)
                        && r.redirectUri().equals(redirectUri)
                        && MessageDigest.isEqual(
                                r.challenge().getBytes(StandardCharsets.US_ASCII),
                                s256(verifier).getBytes(StandardCharsets.US_ASCII)))
                .map(r -> new Grant(r.account(), r.clientId(), r.scope()));
    }

    static String s256(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
