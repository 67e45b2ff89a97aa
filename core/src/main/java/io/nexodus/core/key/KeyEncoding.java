package io.nexodus.core.key;

import java.util.Base64;
import java.util.HexFormat;

/**
 * How 32-byte keys are written, for every key type of the tree (Curve25519 keys here, WireGuard's preshared key,
 * DERP's mesh key): standard base64 with padding (44 characters, what {@code wg genkey} prints and the Nexodus API
 * carries), lowercase hex (64 digits, what UAPI and DERP use), and Tailscale's typed text ({@code prefix:<64 hex>}).
 * Parsing is strict and fails with an {@link IllegalArgumentException} that names the key and the expected form, never
 * the input (it may be a secret).
 */
public final class KeyEncoding {
    /** The length of every key this class parses. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();
    private static final int BASE64_LENGTH = 44;

    private KeyEncoding() {}

    /** Parses the base64 form; surrounding whitespace (a trailing newline in a key file) is ignored. */
    public static byte[] fromBase64(String text, String what) {
        String s = text.strip();
        if (s.length() != BASE64_LENGTH) {
            throw new IllegalArgumentException(what + " is 44 base64 characters (32 bytes), got " + s.length());
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64", e);
        }
        if (b.length != LENGTH) {
            throw new IllegalArgumentException(
                    what + " is 44 base64 characters (32 bytes), got " + b.length + " bytes");
        }
        return b;
    }

    /** Parses exactly 64 hex digits (either case), nothing around them. */
    public static byte[] fromHex(String text, String what) {
        if (text.length() != 2 * LENGTH) {
            throw new IllegalArgumentException(
                    what + " is 64 hex digits (32 bytes), got " + text.length() + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                throw new IllegalArgumentException(
                        what + " is 64 hex digits (32 bytes), got a character that is not a hex digit");
            }
        }
        return HEX.parseHex(text);
    }

    /** Parses Tailscale's typed text {@code prefix<64 hex>}, e.g. {@code nodekey:…}; the prefix is required. */
    public static byte[] fromTypedHex(String text, String prefix, String what) {
        if (!text.startsWith(prefix)) {
            throw new IllegalArgumentException(what + " must look like " + prefix + "<64 hex digits>");
        }
        return fromHex(text.substring(prefix.length()), what);
    }

    /** Standard base64 with padding. */
    public static String toBase64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Lowercase hex. */
    public static String toHex(byte[] key) {
        return HEX.formatHex(key);
    }
}
