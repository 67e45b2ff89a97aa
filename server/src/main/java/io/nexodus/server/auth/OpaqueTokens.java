package io.nexodus.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Opaque bearer tokens: {@code RK:} (registration key) and {@code DT:} (device token), each followed by 32 random
 * bytes in base64 (the shape of a WireGuard key, as upstream). Only their SHA-256 is stored; a lookup by hash cannot
 * leak the secret through timing, and the final comparison is constant-time anyway.
 */
public final class OpaqueTokens {
    public static final String REG_KEY = "RK:";
    public static final String DEVICE = "DT:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpaqueTokens() {}

    public static String generate(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getEncoder().encodeToString(b);
    }

    /** 32 random bytes as unpadded base64url: a secret that travels in URLs and form fields (codes, refresh tokens). */
    public static String urlSafe() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Hex SHA-256 of the whole token (prefix included). */
    public static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of a presented token with a stored hash. */
    public static boolean matches(String token, String storedHash) {
        if (storedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(
                hash(token).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
