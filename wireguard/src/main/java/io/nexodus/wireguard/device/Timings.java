package io.nexodus.wireguard.device;

import java.time.Duration;

/**
 * The protocol's time and message-count constants (whitepaper §6, wireguard-go {@code constants.go}). Production
 * code uses {@link #DEFAULT}; tests shorten them to force a rekey quickly. Changing them in production breaks the
 * protocol's guarantees: don't.
 *
 * @param rekeyAfterTime the initiator starts a new handshake after this (120 s)
 * @param rejectAfterTime a session is unusable after this (180 s)
 * @param rekeyAttemptTime retrying a handshake gives up after this (90 s)
 * @param rekeyTimeout wait this long for a response before retrying (5 s), also the minimum gap between initiations
 * @param keepaliveTimeout send a keepalive if we received data and sent nothing for this long (10 s)
 * @param cookieRefreshTime cookie secret and cookie lifetime (120 s)
 * @param handshakeInitiationRate accept at most one initiation per peer per this (20 ms)
 * @param underLoadDuration treat the device as under load for this long after the handshake queue filled (1 s)
 * @param rekeyAfterMessages the initiator rekeys after this many messages on a session (2^60)
 * @param rejectAfterMessages a session is unusable after this many messages (2^64 - 2^13 - 1, unsigned)
 */
public record Timings(
        Duration rekeyAfterTime,
        Duration rejectAfterTime,
        Duration rekeyAttemptTime,
        Duration rekeyTimeout,
        Duration keepaliveTimeout,
        Duration cookieRefreshTime,
        Duration handshakeInitiationRate,
        Duration underLoadDuration,
        long rekeyAfterMessages,
        long rejectAfterMessages) {

    public static final Timings DEFAULT = new Timings(
            Duration.ofSeconds(120),
            Duration.ofSeconds(180),
            Duration.ofSeconds(90),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(120),
            Duration.ofMillis(20),
            Duration.ofSeconds(1),
            1L << 60,
            -1L - (1L << 13)); // 2^64 - 2^13 - 1 as an unsigned long

    public Timings {
        for (Duration d : new Duration[] {
            rekeyAfterTime,
            rejectAfterTime,
            rekeyAttemptTime,
            rekeyTimeout,
            keepaliveTimeout,
            cookieRefreshTime,
            handshakeInitiationRate,
            underLoadDuration
        }) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("protocol durations must be positive: " + d);
            }
        }
    }

    /** How many initiations a handshake attempt sends before giving up (90 s / 5 s = 18). */
    public int maxHandshakeAttempts() {
        return (int) Math.max(1, rekeyAttemptTime.toNanos() / rekeyTimeout.toNanos());
    }

    /**
     * Parses {@code name=duration,...} overrides on top of {@link #DEFAULT}, for tests and the launcher's
     * {@code --protocol-timing} option. Names are the record components ({@code rekeyAfterTime=5s}); durations take
     * an {@code ms}, {@code s} or {@code m} suffix; the message counts take plain numbers.
     */
    public static Timings parse(String spec) {
        Timings t = DEFAULT;
        if (spec == null || spec.isBlank()) {
            return t;
        }
        for (String item : spec.split(",", -1)) {
            if (item.isBlank()) {
                continue; // "a=1," or "a=1,,b=2"
            }
            String[] kv = item.strip().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("timing must be name=value: " + item);
            }
            t = t.with(kv[0].strip(), kv[1].strip());
        }
        return t;
    }

    Timings with(String name, String value) {
        return switch (name) {
            case "rekeyAfterTime" ->
                new Timings(
                        d(value),
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "rejectAfterTime" ->
                new Timings(
                        rekeyAfterTime,
                        d(value),
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "rekeyAttemptTime" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        d(value),
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "rekeyTimeout" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        d(value),
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "keepaliveTimeout" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        d(value),
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "cookieRefreshTime" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        d(value),
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "handshakeInitiationRate" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        d(value),
                        underLoadDuration,
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "underLoadDuration" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        d(value),
                        rekeyAfterMessages,
                        rejectAfterMessages);
            case "rekeyAfterMessages" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        Long.parseUnsignedLong(value),
                        rejectAfterMessages);
            case "rejectAfterMessages" ->
                new Timings(
                        rekeyAfterTime,
                        rejectAfterTime,
                        rekeyAttemptTime,
                        rekeyTimeout,
                        keepaliveTimeout,
                        cookieRefreshTime,
                        handshakeInitiationRate,
                        underLoadDuration,
                        rekeyAfterMessages,
                        Long.parseUnsignedLong(value));
            default -> throw new IllegalArgumentException("unknown protocol timing: " + name);
        };
    }

    private static Duration d(String v) {
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            }
            return Duration.parse(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad duration '" + v + "' (use e.g. 500ms, 5s, 2m or PT5S)");
        }
    }
}
