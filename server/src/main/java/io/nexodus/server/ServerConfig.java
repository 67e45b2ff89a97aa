package io.nexodus.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code nexodus serve} can be told (flags or NEXAPI_* variables), resolved. Tests build it directly.
 *
 * @param listenHost     address to bind (0.0.0.0 = all)
 * @param listenPort     TCP port (0 = any free one)
 * @param dataDir        embedded database, TLS material, generated admin password
 * @param dbUrl          JDBC URL; null = embedded H2 file under {@code dataDir}
 * @param stunPorts      UDP ports of the embedded STUN server ({@link EmbeddedStunServer})
 * @param adminPassword  the built-in admin's password; null = generated on first start and written to the data dir
 * @param tlsCert        PEM certificate chain (with {@code tlsKey}); null = no TLS unless {@code tlsSelfSigned}
 * @param publicUrl      the URL clients use (the token issuer); null = derived from the bound address
 * @param oidcIssuer     an external OIDC issuer; null = the built-in one with local accounts
 * @param oidcConsoleClientId the external issuer's public client the web console signs in with (its access tokens are
 *                       accepted as well as those of {@code oidcClientId})
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        List<Integer> stunPorts,
        String adminPassword,
        Path tlsCert,
        Path tlsKey,
        boolean tlsSelfSigned,
        String publicUrl,
        String oidcIssuer,
        String oidcClientId,
        String oidcAudience,
        String oidcConsoleClientId,
        int passwordIterations,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        Duration watchHeartbeat,
        Duration onlineGrace,
        int dbPoolSize,
        FeatureFlags flags,
        boolean quiet) {

    public boolean tls() {
        return tlsSelfSigned || tlsCert != null;
    }

    /** Defaults for an embedded, plain-HTTP service on a free loopback port (what tests start from). */
    public static ServerConfig forTests(Path dataDir) {
        return new ServerConfig(
                "127.0.0.1",
                0,
                dataDir,
                null,
                null,
                null,
                List.of(),
                "admin-password-for-tests",
                null,
                null,
                false,
                null,
                null,
                "nexodus-cli",
                null,
                "nexodus-web",
                1000,
                Duration.ofHours(1),
                Duration.ofDays(30),
                Duration.ofSeconds(10),
                Duration.ofMillis(200),
                16,
                FeatureFlags.defaults(),
                true);
    }

    public ServerConfig withDb(String url, String user, String password) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDir,
                url,
                user,
                password,
                stunPorts,
                adminPassword,
                tlsCert,
                tlsKey,
                tlsSelfSigned,
                publicUrl,
                oidcIssuer,
                oidcClientId,
                oidcAudience,
                oidcConsoleClientId,
                passwordIterations,
                accessTokenTtl,
                refreshTokenTtl,
                watchHeartbeat,
                onlineGrace,
                dbPoolSize,
                flags,
                quiet);
    }

    public ServerConfig withOidc(String issuer, String audience) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDir,
                dbUrl,
                dbUser,
                dbPassword,
                stunPorts,
                adminPassword,
                tlsCert,
                tlsKey,
                tlsSelfSigned,
                publicUrl,
                issuer,
                oidcClientId,
                audience,
                oidcConsoleClientId,
                passwordIterations,
                accessTokenTtl,
                refreshTokenTtl,
                watchHeartbeat,
                onlineGrace,
                dbPoolSize,
                flags,
                quiet);
    }

    public ServerConfig withTlsSelfSigned(boolean on) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDir,
                dbUrl,
                dbUser,
                dbPassword,
                stunPorts,
                adminPassword,
                tlsCert,
                tlsKey,
                on,
                publicUrl,
                oidcIssuer,
                oidcClientId,
                oidcAudience,
                oidcConsoleClientId,
                passwordIterations,
                accessTokenTtl,
                refreshTokenTtl,
                watchHeartbeat,
                onlineGrace,
                dbPoolSize,
                flags,
                quiet);
    }

    public ServerConfig withFlags(FeatureFlags f) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDir,
                dbUrl,
                dbUser,
                dbPassword,
                stunPorts,
                adminPassword,
                tlsCert,
                tlsKey,
                tlsSelfSigned,
                publicUrl,
                oidcIssuer,
                oidcClientId,
                oidcAudience,
                oidcConsoleClientId,
                passwordIterations,
                accessTokenTtl,
                refreshTokenTtl,
                watchHeartbeat,
                onlineGrace,
                dbPoolSize,
                f,
                quiet);
    }

    public ServerConfig withHeartbeat(Duration d) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDir,
                dbUrl,
                dbUser,
                dbPassword,
                stunPorts,
                adminPassword,
                tlsCert,
                tlsKey,
                tlsSelfSigned,
                publicUrl,
                oidcIssuer,
                oidcClientId,
                oidcAudience,
                oidcConsoleClientId,
                passwordIterations,
                accessTokenTtl,
                refreshTokenTtl,
                d,
                onlineGrace,
                dbPoolSize,
                flags,
                quiet);
    }
}
