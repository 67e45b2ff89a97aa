package io.nexodus.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** Signs the built-in issuer's access and ID tokens (RS256). */
public final class TokenIssuer {
    /** The audience of access tokens for this API. */
    public static final String API_AUDIENCE = "nexodus-api";

    private final SigningKeys keys;
    private final Supplier<String> issuer;
    private final Clock clock;
    private final Duration accessTtl;

    public TokenIssuer(SigningKeys keys, Supplier<String> issuer, Clock clock, Duration accessTtl) {
        this.keys = keys;
        this.issuer = issuer;
        this.clock = clock;
        this.accessTtl = accessTtl;
    }

    public String issuer() {
        return issuer.get();
    }

    public Duration accessTtl() {
        return accessTtl;
    }

    /** An access token (audience {@value #API_AUDIENCE}). */
    public String accessToken(Accounts.Account a, String clientId, String scope) {
        return sign(
                base(a).audience(List.of(API_AUDIENCE))
                        .claim("azp", clientId)
                        .claim("scope", scope)
                        .claim("typ", "Bearer")
                        .claim("nexodus_admin", a.admin())
                        .build(),
                "at+jwt");
    }

    /** An OIDC ID token for the client. */
    public String idToken(Accounts.Account a, String clientId) {
        return sign(
                base(a).audience(List.of(clientId))
                        .claim("azp", clientId)
                        .claim("typ", "ID")
                        .build(),
                "JWT");
    }

    private JWTClaimsSet.Builder base(Accounts.Account a) {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder()
                .issuer(issuer.get())
                .subject(a.id().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plus(accessTtl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("preferred_username", a.username())
                .claim("name", a.fullName())
                .claim("email", a.email())
                .claim("email_verified", a.email() != null);
    }

    private String sign(JWTClaimsSet claims, String type) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(keys.signingKey().getKeyID())
                            .type(new JOSEObjectType(type))
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(keys.signingKey()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }
}
