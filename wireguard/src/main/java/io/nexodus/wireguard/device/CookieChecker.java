package io.nexodus.wireguard.device;

import io.nexodus.wireguard.crypto.Blake2s;
import io.nexodus.wireguard.crypto.XChaCha20Poly1305;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The receiving side of mac1/mac2 (whitepaper §5.4.4, §5.4.7): checks mac1 of incoming handshake messages with our
 * own public key, checks mac2 against the cookie we would give the source, and makes cookie replies. One per device;
 * replaced when the private key changes. Thread-safe.
 */
final class CookieChecker {
    static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random = new SecureRandom();
    private final Scheduler scheduler;
    private final long refreshNanos;
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private byte[] secret = new byte[32];
    private long secretSetAt;
    private boolean secretSet;

    CookieChecker(byte[] ourPublicKey, Scheduler scheduler, Timings timings) {
        this.scheduler = scheduler;
        this.refreshNanos = timings.cookieRefreshTime().toNanos();
        this.mac1Key = Blake2s.hash(LABEL_MAC1, ourPublicKey);
        this.cookieKey = Blake2s.hash(LABEL_COOKIE, ourPublicKey);
    }

    /** mac1 of a type 1 or 2 message: MAC(HASH("mac1----" || our public key), msg[0 : mac1 offset]). */
    boolean checkMac1(byte[] msg, int macOffset) {
        byte[] expected = Blake2s.mac(mac1Key, msg, 0, macOffset);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(msg, macOffset, macOffset + 16));
    }

    /** mac2: MAC(cookie for this source, msg[0 : mac2 offset]), where mac2 offset = mac1 offset + 16. */
    boolean checkMac2(byte[] msg, int macOffset, byte[] sourceBytes) {
        byte[] cookie = cookieFor(sourceBytes);
        int mac2 = macOffset + 16;
        byte[] expected = Blake2s.mac(cookie, msg, 0, mac2);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(msg, mac2, mac2 + 16));
    }

    /** A cookie reply (type 3) for {@code msg}, whose sender index is {@code receiverIndex}. */
    byte[] createReply(byte[] msg, int macOffset, int receiverIndex, byte[] sourceBytes) {
        byte[] cookie = cookieFor(sourceBytes);
        byte[] nonce = new byte[XChaCha20Poly1305.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] mac1 = Arrays.copyOfRange(msg, macOffset, macOffset + 16);
        byte[] enc = XChaCha20Poly1305.seal(cookieKey, nonce, cookie, mac1);
        byte[] out = new byte[Messages.COOKIE_REPLY_SIZE];
        Messages.putLe32(out, 0, Messages.TYPE_COOKIE_REPLY);
        Messages.putLe32(out, Messages.COOKIE_RECEIVER, receiverIndex);
        System.arraycopy(nonce, 0, out, Messages.COOKIE_NONCE, nonce.length);
        System.arraycopy(enc, 0, out, Messages.COOKIE_ENCRYPTED, enc.length);
        return out;
    }

    private synchronized byte[] cookieFor(byte[] sourceBytes) {
        long now = scheduler.nanoTime();
        if (!secretSet || now - secretSetAt > refreshNanos) {
            random.nextBytes(secret);
            secretSetAt = now;
            secretSet = true;
        }
        return Blake2s.mac(secret, sourceBytes, 0, sourceBytes.length);
    }
}
