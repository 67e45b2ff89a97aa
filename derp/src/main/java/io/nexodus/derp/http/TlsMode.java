package io.nexodus.derp.http;

import java.util.Locale;

/** How the relay gets its TLS certificate ({@code --certmode}). */
public enum TlsMode {
    /** Plain HTTP (tests and development; upstream's {@code --dev}). */
    NONE,
    /** {@code <certdir>/<hostname>.crt} and {@code .key} supplied by the operator; SNI must be the hostname. */
    MANUAL,
    /** A CA and a certificate for the hostname made here with BouncyCastle; the CA's PEM is written for clients. */
    SELF_SIGNED,
    /** ACME with Let's Encrypt: needs the internet, so it is refused with an explanation. */
    LETSENCRYPT,
    /**
     * A certificate and key handed over in memory ({@code DerpRelayConfig.Builder#certificate}): the Nexodus service
     * serves its relay with its own TLS material. Not a command-line mode.
     */
    PROVIDED;

    /** Parses {@code none|manual|self-signed|letsencrypt} (as on the command line). */
    public static TlsMode parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "none", "dev", "plain" -> NONE;
            case "manual" -> MANUAL;
            case "self-signed", "selfsigned" -> SELF_SIGNED;
            case "letsencrypt" -> LETSENCRYPT;
            default ->
                throw new IllegalArgumentException(
                        "unknown certificate mode '" + s + "': use manual, self-signed or none");
        };
    }
}
