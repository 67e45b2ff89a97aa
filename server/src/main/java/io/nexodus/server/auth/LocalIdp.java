package io.nexodus.server.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.nexodus.api.model.Account;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.DeviceAuthorizationResponse;
import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.api.model.OAuthError;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.api.model.UserInfoResponse;
import io.nexodus.server.audit.AuditLog;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.OpenApiDocument;
import io.nexodus.server.http.RawReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import io.nexodus.server.user.Users;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The built-in OIDC issuer with local accounts: discovery, JWKS ({@code /oauth/jwks} and upstream's
 * {@code /device/certs}), the token endpoint (password, refresh_token with rotation, and RFC 8628 device_code
 * grants), the device authorization endpoint with a small HTML page to approve a user code, userinfo, and the
 * admin-only account API.
 */
public final class LocalIdp implements IdentityProvider {

    public static final String CLIENT_ID = "nexodus-cli";
    /** Identity kind of local accounts: stable when the public URL (the issuer) changes. */
    public static final String IDENTITY_ISSUER = "local";

    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    private static final Duration DEVICE_CODE_TTL = Duration.ofMinutes(10);
    private static final int POLL_INTERVAL = 5;

    private final Database db;
    private final Accounts accounts;
    private final SigningKeys keys;
    private final TokenIssuer issuer;
    private final Users users;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration refreshTtl;
    private final Supplier<String> publicUrl;
    private final SecureRandom random = new SecureRandom();
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final AuthorizationCodes codes;
    private final LoginThrottle throttle;

    public LocalIdp(
            Database db,
            Accounts accounts,
            SigningKeys keys,
            TokenIssuer issuer,
            Users users,
            AuditLog audit,
            Clock clock,
            Duration refreshTtl,
            Supplier<String> publicUrl) {
        this.db = db;
        this.accounts = accounts;
        this.keys = keys;
        this.issuer = issuer;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
        this.refreshTtl = refreshTtl;
        this.publicUrl = publicUrl;
        this.codes = new AuthorizationCodes(db, clock);
        this.throttle = new LoginThrottle(clock);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(
                new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys.publicSet())));
    }

    private String url(String path) {
        return publicUrl.get() + path;
    }

    @Override
    public DeviceStartResponse deviceStart() {
        return new DeviceStartResponse(url("/oauth/device/code"), issuer.issuer(), CLIENT_ID, clock.instant());
    }

    @Override
    public Verified verify(String jwt) {
        JWTClaimsSet c;
        try {
            processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                    TokenIssuer.API_AUDIENCE,
                    new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(),
                    Set.of("sub", "exp")));
            c = processor.process(jwt, null);
        } catch (Exception e) {
            throw ApiError.unauthorized("invalid access token: " + e.getMessage());
        }
        UUID accountId;
        try {
            accountId = UUID.fromString(c.getSubject());
        } catch (IllegalArgumentException e) {
            throw ApiError.unauthorized("invalid access token subject");
        }
        Accounts.Account a =
                accounts.find(accountId).orElseThrow(() -> ApiError.unauthorized("the account no longer exists"));
        return new Verified(claims(a), a.admin());
    }

    public static Users.Claims claims(Accounts.Account a) {
        return new Users.Claims(
                IDENTITY_ISSUER, a.id().toString(), a.username(), a.fullName(), "", a.email(), a.email() != null);
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/.well-known/openid-configuration")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("OIDC discovery")
                        .returns(Map.class)
                        .handler(c -> discovery()),
                Route.get("/oauth/jwks")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Signing keys (JWKS)")
                        .returns(Map.class)
                        .handler(c -> keys.publicSet().toJSONObject()),
                Route.post("/oauth/token")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary(
                                "Token endpoint: grant_type password, refresh_token, urn:ietf:params:oauth:grant-type:device_code")
                        .body(OpenApiDocument.FormBody.class)
                        .returns(TokenResponse.class)
                        .errors(400, 401, 429)
                        .handler(this::token),
                Route.get("/oauth/authorize")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Authorization endpoint (code + PKCE S256) for the web console: a login page")
                        .query("client_id", "nexodus-console")
                        .query("redirect_uri", "the console's URL (<public URL>/console/)")
                        .query("response_type", "code")
                        .query("code_challenge", "base64url SHA-256 of the code verifier")
                        .query("code_challenge_method", "S256")
                        .query("state", "returned unchanged")
                        .contentType("text/html")
                        .returns(String.class)
                        .errors(400)
                        .handler(this::authorizePage),
                Route.post("/oauth/authorize")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Log in on the authorization page: redirects to redirect_uri with code and state")
                        .body(OpenApiDocument.FormBody.class)
                        .contentType("text/html")
                        .returns(String.class)
                        .errors(400, 401, 429)
                        .handler(this::authorizeSubmit),
                Route.post("/oauth/device/code")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Device authorization (RFC 8628)")
                        .body(OpenApiDocument.FormBody.class)
                        .returns(DeviceAuthorizationResponse.class)
                        .handler(this::deviceCode),
                Route.get("/device")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Page to log in and approve a device's user code")
                        .query("user_code", "the code the device shows")
                        .contentType("text/html")
                        .returns(String.class)
                        .handler(this::devicePage),
                Route.post("/device")
                        .tag("Identity")
                        .access(Access.PUBLIC)
                        .summary("Approve or deny a user code (form: user_code, username, password, action)")
                        .body(OpenApiDocument.FormBody.class)
                        .contentType("text/html")
                        .returns(String.class)
                        .errors(400, 401, 429)
                        .handler(this::deviceSubmit),
                Route.get("/oauth/userinfo")
                        .tag("Identity")
                        .summary("OIDC userinfo of the caller")
                        .returns(UserInfoResponse.class)
                        .handler(this::userinfo),
                Route.get("/admin/accounts")
                        .tag("Accounts")
                        .access(Access.ADMIN)
                        .summary("List local accounts")
                        .listParams()
                        .returns(new TypeReference<List<Account>>() {}.getType())
                        .errors(403)
                        .handler(this::listAccounts),
                Route.post("/admin/accounts")
                        .tag("Accounts")
                        .access(Access.ADMIN)
                        .status(201)
                        .summary("Create a local account and its user (with default organization, VPC, security group)")
                        .body(AddAccount.class)
                        .returns(Account.class)
                        .errors(400, 403, 409)
                        .handler(this::createAccount));
    }

    private Map<String, Object> discovery() {
        return Map.ofEntries(
                Map.entry("issuer", issuer.issuer()),
                Map.entry("authorization_endpoint", url("/oauth/authorize")),
                Map.entry("token_endpoint", url("/oauth/token")),
                Map.entry("device_authorization_endpoint", url("/oauth/device/code")),
                Map.entry("jwks_uri", url("/oauth/jwks")),
                Map.entry("userinfo_endpoint", url("/oauth/userinfo")),
                Map.entry(
                        "grant_types_supported",
                        List.of("password", "refresh_token", "authorization_code", DEVICE_GRANT)),
                Map.entry("response_types_supported", List.of("code", "token")),
                Map.entry("code_challenge_methods_supported", List.of("S256")),
                Map.entry("subject_types_supported", List.of("public")),
                Map.entry("id_token_signing_alg_values_supported", List.of("RS256")),
                Map.entry("token_endpoint_auth_methods_supported", List.of("none")),
                Map.entry("scopes_supported", List.of("openid", "profile", "email", "offline_access")),
                Map.entry(
                        "claims_supported",
                        List.of(
                                "sub",
                                "iss",
                                "aud",
                                "exp",
                                "iat",
                                "preferred_username",
                                "name",
                                "email",
                                "email_verified")));
    }

    // ---- token endpoint ----

    private static Reply oauthError(int status, String error, String description) {
        return new Reply(status, new OAuthError(error, description), Map.of("Cache-Control", "no-store"));
    }

    private Object token(Call c) {
        Map<String, String> f = Forms.parse(c.bodyBytes());
        String grant = f.getOrDefault("grant_type", "");
        String clientId = f.getOrDefault("client_id", CLIENT_ID);
        if (clientId.isBlank()) {
            clientId = CLIENT_ID;
        }
        String scope = f.getOrDefault("scope", "openid profile email offline_access");
        return switch (grant) {
            case "password" -> {
                Optional<Duration> wait = throttle.refusal(f.get("username"), c.remoteAddress());
                if (wait.isPresent()) {
                    yield new Reply(
                            429,
                            new OAuthError("temporarily_unavailable", tooManyFailures(wait.get())),
                            Map.of("Cache-Control", "no-store", "Retry-After", retryAfter(wait.get())));
                }
                Optional<Accounts.Account> a = checkPassword(c, f, 200, 400);
                if (a.isEmpty()) {
                    yield oauthError(400, "invalid_grant", "invalid username or password");
                }
                yield issue(a.get(), clientId, scope);
            }
            case "refresh_token" -> refresh(f.get("refresh_token"));
            case "authorization_code" -> {
                Optional<AuthorizationCodes.Grant> g =
                        codes.redeem(f.get("code"), clientId, f.get("redirect_uri"), f.get("code_verifier"));
                Optional<Accounts.Account> a = g.flatMap(x -> accounts.find(x.accountId()));
                if (a.isEmpty()) {
                    yield oauthError(400, "invalid_grant", "the code is invalid, expired, used or does not match");
                }
                yield issue(a.get(), g.get().clientId(), g.get().scope());
            }
            case DEVICE_GRANT -> pollDeviceCode(f.get("device_code"));
            case "" -> oauthError(400, "invalid_request", "grant_type is required");
            default ->
                oauthError(
                        400,
                        "unsupported_grant_type",
                        "supported: password, refresh_token, authorization_code, " + DEVICE_GRANT);
        };
    }

    private Reply issue(Accounts.Account a, String clientId, String scope) {
        users.provision(claims(a));
        String refresh = randomToken();
        Instant now = clock.instant();
        db.write(tx -> {
            tx.update("DELETE FROM refresh_tokens WHERE account_id = ? AND expires_at < ?", a.id(), now);
            return tx.update(
                    "INSERT INTO refresh_tokens (token_hash, account_id, client_id, scope, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    OpaqueTokens.hash(refresh),
                    a.id(),
                    clientId,
                    scope,
                    now.plus(refreshTtl),
                    now);
        });
        TokenResponse t = new TokenResponse(
                issuer.accessToken(a, clientId, scope),
                "Bearer",
                issuer.accessTtl().toSeconds(),
                refresh,
                refreshTtl.toSeconds(),
                issuer.idToken(a, clientId),
                scope);
        return new Reply(200, t, Map.of("Cache-Control", "no-store"));
    }

    /** The refresh grant: the client and scope are those the token was issued to (it is rotated: single use). */
    private Reply refresh(String token) {
        if (token == null || token.isBlank()) {
            return oauthError(400, "invalid_request", "refresh_token is required");
        }
        String hash = OpaqueTokens.hash(token);
        Instant now = clock.instant();
        Optional<Object[]> row = db.write(tx -> {
            Optional<Object[]> r = tx.queryOne(
                    "SELECT account_id, client_id, scope, expires_at FROM refresh_tokens WHERE token_hash = ?",
                    rs -> new Object[] {
                        Cols.uuid(rs, "account_id"),
                        rs.getString("client_id"),
                        rs.getString("scope"),
                        Cols.instant(rs, "expires_at")
                    },
                    hash);
            // rotation: a refresh token works once
            tx.update("DELETE FROM refresh_tokens WHERE token_hash = ?", hash);
            return r;
        });
        if (row.isEmpty() || ((Instant) row.get()[3]).isBefore(now)) {
            return oauthError(400, "invalid_grant", "refresh token is invalid or expired");
        }
        Optional<Accounts.Account> a = accounts.find((UUID) row.get()[0]);
        if (a.isEmpty()) {
            return oauthError(400, "invalid_grant", "the account no longer exists");
        }
        return issue(a.get(), (String) row.get()[1], (String) row.get()[2]);
    }

    // ---- device authorization grant ----

    private Object deviceCode(Call c) {
        Map<String, String> f = Forms.parse(c.bodyBytes());
        String clientId = f.getOrDefault("client_id", CLIENT_ID);
        String scope = f.getOrDefault("scope", "openid profile email offline_access");
        String deviceCode = randomToken();
        String userCode = userCode();
        Instant now = clock.instant();
        db.write(tx -> {
            tx.update("DELETE FROM device_codes WHERE expires_at < ?", now);
            return tx.update(
                    "INSERT INTO device_codes (device_code_hash, user_code, client_id, scope, status, poll_interval, expires_at) "
                            + "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                    OpaqueTokens.hash(deviceCode),
                    userCode,
                    clientId,
                    scope,
                    POLL_INTERVAL,
                    now.plus(DEVICE_CODE_TTL));
        });
        String display = userCode.substring(0, 4) + "-" + userCode.substring(4);
        return new Reply(
                200,
                new DeviceAuthorizationResponse(
                        deviceCode,
                        display,
                        url("/device"),
                        url("/device?user_code=" + display),
                        DEVICE_CODE_TTL.toSeconds(),
                        POLL_INTERVAL),
                Map.of("Cache-Control", "no-store"));
    }

    private Reply pollDeviceCode(String deviceCode) {
        if (deviceCode == null || deviceCode.isBlank()) {
            return oauthError(400, "invalid_request", "device_code is required");
        }
        String hash = OpaqueTokens.hash(deviceCode);
        Instant now = clock.instant();
        record Poll(String status, UUID account, String clientId, String scope, boolean tooFast, boolean expired) {}
        Optional<Poll> p = db.write(tx -> {
            Optional<Poll> r = tx.queryOne(
                    "SELECT status, account_id, client_id, scope, poll_interval, last_poll_at, expires_at FROM device_codes WHERE device_code_hash = ?",
                    rs -> {
                        Instant last = Cols.instant(rs, "last_poll_at");
                        boolean fast = last != null
                                && last.plusSeconds(rs.getInt("poll_interval")).isAfter(now.plusMillis(500));
                        return new Poll(
                                rs.getString("status"),
                                Cols.uuid(rs, "account_id"),
                                rs.getString("client_id"),
                                rs.getString("scope"),
                                fast,
                                Cols.instant(rs, "expires_at").isBefore(now));
                    },
                    hash);
            if (r.isEmpty()) {
                return r;
            }
            if (r.get().expired() || !r.get().status().equals("pending")) {
                tx.update(
                        "DELETE FROM device_codes WHERE device_code_hash = ?", hash); // approved/denied codes work once
            } else if (r.get().tooFast()) {
                tx.update(
                        "UPDATE device_codes SET poll_interval = poll_interval + 5, last_poll_at = ? WHERE device_code_hash = ?",
                        now,
                        hash);
            } else {
                tx.update("UPDATE device_codes SET last_poll_at = ? WHERE device_code_hash = ?", now, hash);
            }
            return r;
        });
        if (p.isEmpty()) {
            return oauthError(400, "invalid_grant", "unknown device code");
        }
        Poll poll = p.get();
        if (poll.expired()) {
            return oauthError(400, "expired_token", "the device code expired");
        }
        return switch (poll.status()) {
            case "approved" ->
                accounts.find(poll.account())
                        .map(a -> issue(a, poll.clientId(), poll.scope()))
                        .orElse(oauthError(400, "invalid_grant", "the account no longer exists"));
            case "denied" -> oauthError(400, "access_denied", "the user denied the request");
            default ->
                poll.tooFast()
                        ? oauthError(400, "slow_down", "poll less often")
                        : oauthError(400, "authorization_pending", "waiting for the user");
        };
    }

    // ---- authorization code grant (the web console) ----

    private static final List<String> AUTHORIZE_PARAMS =
            List.of("client_id", "redirect_uri", "response_type", "code_challenge", "code_challenge_method", "state");

    private Optional<String> authorizeRefusal(Map<String, String> p) {
        return AuthorizationCodes.refusal(
                publicUrl.get(),
                p.get("client_id"),
                p.get("redirect_uri"),
                p.get("response_type"),
                p.get("code_challenge"),
                p.get("code_challenge_method"));
    }

    private Object authorizePage(Call c) {
        Map<String, String> p = new HashMap<>();
        for (String k : AUTHORIZE_PARAMS) {
            c.query(k).ifPresent(v -> p.put(k, v));
        }
        return authorizeForm(200, p, "");
    }

    private RawReply authorizeForm(int status, Map<String, String> p, String error) {
        Optional<String> refusal = authorizeRefusal(p);
        if (refusal.isPresent()) {
            return page(400, "Cannot sign in", "<p>" + Forms.html(refusal.get()) + "</p>");
        }
        StringBuilder hidden = new StringBuilder();
        for (String k : AUTHORIZE_PARAMS) {
            hidden.append("<input type=\"hidden\" name=\"")
                    .append(k)
                    .append("\" value=\"")
                    .append(Forms.html(p.getOrDefault(k, "")))
                    .append("\">");
        }
        return page(
                status,
                "Sign in to Nexodus",
                (error.isEmpty() ? "" : "<p role=\"alert\" id=\"error\">" + Forms.html(error) + "</p>")
                        + "<form method=\"post\" action=\"/oauth/authorize\">"
                        + hidden
                        + "<label>Username <input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus></label><br>"
                        + "<label>Password <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label><br>"
                        + "<button id=\"sign-in\">Sign in</button></form>");
    }

    private Object authorizeSubmit(Call c) {
        Map<String, String> f = Forms.parse(c.bodyBytes());
        if (authorizeRefusal(f).isPresent()) {
            return authorizeForm(400, f, "");
        }
        Optional<Duration> wait = throttle.refusal(f.get("username"), c.remoteAddress());
        if (wait.isPresent()) {
            return throttledPage(wait.get());
        }
        Optional<Accounts.Account> a = checkPassword(c, f, 302, 401);
        if (a.isEmpty()) {
            return authorizeForm(401, f, "Wrong username or password.");
        }
        users.provision(claims(a.get()));
        String code = codes.issue(
                a.get().id(),
                f.get("client_id"),
                f.get("redirect_uri"),
                f.get("code_challenge"),
                "openid profile email offline_access");
        String location = f.get("redirect_uri") + "?code=" + code + "&state="
                + URLEncoder.encode(f.getOrDefault("state", ""), StandardCharsets.UTF_8);
        return new Reply(302, null, Map.of("Location", location, "Cache-Control", "no-store"));
    }

    private Object devicePage(Call c) {
        String code = c.query("user_code").orElse("");
        return page(
                200,
                "Approve a device",
                "<p>A program asks to sign in as you. Check that the code matches the one it shows.</p>"
                        + "<form method=\"post\" action=\"/device\">"
                        + "<label>Code <input name=\"user_code\" value=\"" + Forms.html(code)
                        + "\" autocomplete=\"off\" required></label><br>"
                        + "<label>Username <input name=\"username\" autocomplete=\"username\" required></label><br>"
                        + "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label><br>"
                        + "<button name=\"action\" value=\"approve\">Approve</button> <button name=\"action\" value=\"deny\">Deny</button>"
                        + "</form>");
    }

    private Object deviceSubmit(Call c) {
        Map<String, String> f = Forms.parse(c.bodyBytes());
        String code = normalizeUserCode(f.getOrDefault("user_code", ""));
        Optional<Duration> wait = throttle.refusal(f.get("username"), c.remoteAddress());
        if (wait.isPresent()) {
            return throttledPage(wait.get());
        }
        Optional<Accounts.Account> a = checkPassword(c, f, 200, 401);
        if (a.isEmpty()) {
            return page(
                    401,
                    "Not signed in",
                    "<p>Wrong username or password.</p><p><a href=\"/device?user_code="
                            + Forms.html(f.getOrDefault("user_code", "")) + "\">Try again</a></p>");
        }
        boolean approve = !"deny".equals(f.get("action"));
        Instant now = clock.instant();
        int n = db.write(tx -> tx.update(
                "UPDATE device_codes SET status = ?, account_id = ? WHERE user_code = ? AND status = 'pending' AND expires_at > ?",
                approve ? "approved" : "denied",
                a.get().id(),
                code,
                now));
        if (n == 0) {
            return page(400, "Unknown code", "<p>This code is unknown, expired or already used.</p>");
        }
        return page(
                200,
                approve ? "Device approved" : "Device denied",
                approve
                        ? "<p>Signed in as " + Forms.html(a.get().username())
                                + ". You can close this page; the device continues by itself.</p>"
                        : "<p>The request was denied.</p>");
    }

    /**
     * Checks the form's username and password, counts a failure against the login throttle and writes the attempt to
     * the audit log with the status the caller will see ({@code ok} or {@code refused}).
     */
    private Optional<Accounts.Account> checkPassword(Call c, Map<String, String> f, int ok, int refused) {
        Optional<Accounts.Account> a = accounts.authenticate(f.get("username"), f.get("password"));
        throttle.record(f.get("username"), c.remoteAddress(), a.isPresent());
        audit.login(
                f.get("username"),
                a.map(Accounts.Account::id).orElse(null),
                c.remoteAddress(),
                c.request().path().path(),
                a.isPresent() ? ok : refused);
        return a;
    }

    private static String tooManyFailures(Duration wait) {
        return "too many failed logins for this account or from this address; try again in " + retryAfter(wait) + " s";
    }

    /** Whole seconds, rounded up (RFC 9110 Retry-After). */
    private static String retryAfter(Duration wait) {
        return Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000));
    }

    private static RawReply throttledPage(Duration wait) {
        RawReply p = page(429, "Try again later", "<p>" + Forms.html(capitalize(tooManyFailures(wait))) + ".</p>");
        return p.withHeader("Retry-After", retryAfter(wait));
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static RawReply page(int status, String title, String body) {
        String html =
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>Nexodus: " + Forms.html(title) + "</title>"
                        + "<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}input{margin:.3em 0}</style></head><body><h1>"
                        + Forms.html(title) + "</h1>" + body + "</body></html>";
        return new RawReply(
                status,
                "text/html; charset=utf-8",
                html.getBytes(StandardCharsets.UTF_8),
                Map.of(
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                        "X-Frame-Options",
                        "DENY"));
    }

    static String normalizeUserCode(String s) {
        return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z]", "");
    }

    private String userCode() {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            sb.append(USER_CODE_ALPHABET.charAt(random.nextInt(USER_CODE_ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String randomToken() {
        return OpaqueTokens.urlSafe();
    }

    // ---- userinfo and accounts ----

    private Object userinfo(Call c) {
        UUID user = c.principal().ownerId();
        return db.read(tx -> {
            var acct = tx.queryOne(
                    "SELECT a.id, a.username, a.full_name, a.email, a.created_at FROM accounts a JOIN user_identities i "
                            + "ON i.kind = ? AND i.identity_value = CAST(a.id AS VARCHAR) WHERE i.user_id = ?",
                    rs -> new UserInfoResponse(
                            rs.getString("id"),
                            rs.getString("username"),
                            rs.getString("full_name"),
                            Cols.instant(rs, "created_at").getEpochSecond(),
                            "",
                            "",
                            rs.getString("email") != null,
                            rs.getString("email")),
                    "oidc:" + IDENTITY_ISSUER,
                    user);
            return acct.orElseThrow(() -> ApiError.notFound("account"));
        });
    }

    private Object listAccounts(Call c) {
        return ListReply.of(
                accounts.list().stream()
                        .map(a -> present(a, users.provision(claims(a)).id()))
                        .toList(),
                "username");
    }

    private Object createAccount(Call c) {
        AddAccount in = c.body(AddAccount.class);
        if (in.username() == null || !in.username().matches("[A-Za-z0-9._@-]{1,64}")) {
            throw ApiError.invalid("username", "1-64 characters of letters, digits, . _ @ -");
        }
        if (in.password() == null || in.password().length() < 8) {
            throw ApiError.invalid("password", "at least 8 characters");
        }
        Optional<Accounts.Account> a = accounts.create(in.username(), in.password(), in.fullName(), in.email(), false);
        if (a.isEmpty()) {
            throw ApiError.conflict(accounts.findByUsername(in.username())
                    .map(Accounts.Account::id)
                    .orElse(null));
        }
        return present(a.get(), users.provision(claims(a.get())).id());
    }

    static Account present(Accounts.Account a, UUID userId) {
        return new Account(a.id(), a.username(), a.fullName(), a.email(), a.admin(), userId);
    }
}
