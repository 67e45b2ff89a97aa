package io.nexodus.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.user.Users;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * An external OIDC issuer (Keycloak, Dex, ...): access tokens are verified by signature (keys from the issuer's
 * {@code jwks_uri}, cached and refreshed on unknown key ids), issuer, optional audience and expiry; users are
 * provisioned from the claims ({@code sub}, {@code preferred_username}, {@code name}, {@code email},
 * {@code email_verified}, {@code picture}).
 */
public final class ExternalOidc implements IdentityProvider {
    private final String issuer;
    private final String clientId;
    private final String consoleClientId;
    private final String deviceEndpoint;
    private final Endpoints endpoints;
    private final Clock clock;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * Without a configured audience, a token must have been issued to the configured client ({@code aud} or
     * {@code azp}, as Keycloak sets {@code azp} on access tokens), so that tokens of other clients of the same realm are
     * not API tokens.
     */
    private final boolean requireClient;

    /**
     * Where a browser signs in (the web console): {@code endSession} is null when the issuer announces no
     * {@code end_session_endpoint}.
     */
    public record Endpoints(String authorization, String token, String endSession) {}

    private ExternalOidc(
            String issuer,
            String clientId,
            String consoleClientId,
            String deviceEndpoint,
            Endpoints endpoints,
            URL jwksUri,
            String audience,
            Clock clock) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.consoleClientId = consoleClientId;
        this.deviceEndpoint = deviceEndpoint;
        this.endpoints = endpoints;
        this.clock = clock;
        this.requireClient = audience == null || audience.isBlank();
        JWKSource<SecurityContext> keys =
                JWKSourceBuilder.create(jwksUri).retrying(true).build();
        Set<JWSAlgorithm> algs = new HashSet<>(JWSAlgorithm.Family.RSA);
        algs.addAll(JWSAlgorithm.Family.EC);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, keys));
        processor.setJWSTypeVerifier((type, ctx) -> {}); // issuers differ ("JWT", "at+jwt", none)
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    /**
     * Reads {@code <issuer>/.well-known/openid-configuration} (retrying for up to {@code wait}). Access tokens issued to
     * {@code clientId} (nexctl, nexd) or {@code consoleClientId} (the web console) are accepted.
     */
    public static ExternalOidc discover(
            String issuer, String clientId, String consoleClientId, String audience, Clock clock, Duration wait) {
        String base = issuer.replaceAll("/+$", "");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                JsonNode d = Json.mapper().readTree(r.body());
                String iss = checkedIssuer(issuer, d.path("issuer").asText(null));
                String jwks = d.path("jwks_uri").asText(null);
                if (jwks == null) {
                    throw new IOException("no jwks_uri");
                }
                return new ExternalOidc(
                        iss,
                        clientId,
                        consoleClientId,
                        d.path("device_authorization_endpoint").asText(""),
                        new Endpoints(
                                d.path("authorization_endpoint").asText(null),
                                d.path("token_endpoint").asText(null),
                                d.path("end_session_endpoint").asText(null)),
                        URI.create(jwks).toURL(),
                        audience,
                        clock);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "cannot read OIDC discovery of " + issuer + ": " + e.getMessage(), e);
                }
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * The discovery document must name exactly the configured issuer (OIDC Discovery 1.0 section 4.3, RFC 8414
     * section 3.3): a different value means a misconfigured or impersonated issuer, never a value to adopt. A trailing
     * slash typed on the command line is forgiven.
     */
    static String checkedIssuer(String configured, String discovered) {
        if (discovered != null
                && (discovered.equals(configured) || discovered.equals(configured.replaceAll("/+$", "")))) {
            return discovered;
        }
        throw new IllegalArgumentException("the OIDC discovery document of " + configured + " names the issuer "
                + (discovered == null ? "(none)" : "'" + discovered + "'")
                + "; --oidc-issuer must be exactly the issuer its tokens carry");
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The issuer's browser endpoints as its discovery document names them. */
    public Endpoints endpoints() {
        return endpoints;
    }

    @Override
    public DeviceStartResponse deviceStart() {
        return new DeviceStartResponse(deviceEndpoint, issuer, clientId, clock.instant());
    }

    @Override
    public Verified verify(String jwt) {
        JWTClaimsSet c;
        try {
            c = processor.process(jwt, null);
        } catch (Exception e) {
            throw ApiError.unauthorized("invalid access token: " + e.getMessage());
        }
        try {
            if ("ID".equals(c.getStringClaim("typ"))) {
                throw ApiError.unauthorized("an ID token is not an access token");
            }
            if (requireClient && !issuedTo(c, clientId) && !issuedTo(c, consoleClientId)) {
                throw ApiError.unauthorized("access token not issued to the client " + clientId
                        + (consoleClientId == null ? "" : " or " + consoleClientId)
                        + " (neither aud nor azp); set --oidc-audience to accept another audience");
            }
            Boolean verified = c.getBooleanClaim("email_verified");
            return new Verified(
                    new Users.Claims(
                            issuer,
                            c.getSubject(),
                            c.getStringClaim("preferred_username"),
                            fullName(c),
                            c.getStringClaim("picture"),
                            c.getStringClaim("email"),
                            Boolean.TRUE.equals(verified)),
                    false);
        } catch (ParseException e) {
            throw ApiError.unauthorized("invalid access token claims: " + e.getMessage());
        }
    }

    private static boolean issuedTo(JWTClaimsSet c, String client) throws ParseException {
        return client != null
                && (client.equals(c.getStringClaim("azp"))
                        || (c.getAudience() != null && c.getAudience().contains(client)));
    }

    private static String fullName(JWTClaimsSet c) throws ParseException {
        String name = c.getStringClaim("name");
        if (name != null && !name.isBlank()) {
            return name;
        }
        String given = c.getStringClaim("given_name"), family = c.getStringClaim("family_name");
        return ((given == null ? "" : given) + " " + (family == null ? "" : family)).strip();
    }
}
