package io.nexodus.wireguard.device;

import io.nexodus.wireguard.crypto.Blake2s;
import io.nexodus.wireguard.crypto.XChaCha20Poly1305;
import java.util.Arrays;

/**
 * The sending side of mac1/mac2 for one peer: adds mac1 (keyed with the peer's public key) and, while we hold a fresh
 * cookie from that peer, mac2; and consumes the peer's cookie replies. Thread-safe.
 */
final class CookieGenerator {
    private final Scheduler scheduler;
    private final long cookieLifetimeNanos;
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private byte[] lastMac1;
    private byte[] cookie;
    private long cookieSetAt;

    CookieGenerator(byte[] peerPublicKey, Scheduler scheduler, Timings timings) {
        this.scheduler = scheduler;
        // The initiator treats a cookie as stale a little before the replier rotates its secret.
        this.cookieLifetimeNanos =
                timings.cookieRefreshTime().minus(timings.rekeyTimeout()).toNanos();
        this.mac1Key = Blake2s.hash(CookieChecker.LABEL_MAC1, peerPublicKey);
        this.cookieKey = Blake2s.hash(CookieChecker.LABEL_COOKIE, peerPublicKey);
    }

    /** Writes mac1 and mac2 into {@code msg} (mac1 at {@code macOffset}, mac2 right after it). */
    synchronized void addMacs(byte[] msg, int macOffset) {
        byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, macOffset);
        System.arraycopy(mac1, 0, msg, macOffset, 16);
        lastMac1 = mac1;
        int mac2 = macOffset + 16;
        if (cookie != null && scheduler.nanoTime() - cookieSetAt < cookieLifetimeNanos) {
            System.arraycopy(Blake2s.mac(cookie, msg, 0, mac2), 0, msg, mac2, 16);
        } else {
            Arrays.fill(msg, mac2, mac2 + 16, (byte) 0);
        }
    }

    /** Decrypts a cookie reply addressed to us; false if we never sent a mac1 or it does not authenticate. */
    synchronized boolean consumeReply(byte[] reply) {
        if (lastMac1 == null) {
            return false;
        }
        byte[] nonce = Arrays.copyOfRange(reply, Messages.COOKIE_NONCE, Messages.COOKIE_NONCE + 24);
        byte[] enc = Arrays.copyOfRange(reply, Messages.COOKIE_ENCRYPTED, Messages.COOKIE_REPLY_SIZE);
        byte[] c = XChaCha20Poly1305.open(cookieKey, nonce, enc, lastMac1);
        if (c == null) {
            return false;
        }
        cookie = c;
        cookieSetAt = scheduler.nanoTime();
        return true;
    }
}
