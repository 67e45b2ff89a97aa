package io.nexodus.nexctl.auth;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.nexctl.CliEnvironment;
import io.nexodus.nexctl.CliException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * How this nexctl run reaches the service: the API client (authenticated with a one-shot password login or the
 * cached tokens of {@code nexctl login}), TLS trust, the identity provider, and the caller's user id. Everything is
 * created on first use, so commands that do not talk to the service (help, version, nexd) pay nothing.
 */
public final class Session {
    private final Settings settings;
    private final CliEnvironment env;
    private final CredentialStore credentials;
    private NexodusClient anonymous;
    private NexodusClient api;
    private Supplier<String> bearer;
    private OidcClient idp;
    private UUID me;

    public Session(Settings settings, CliEnvironment env) {
        this.settings = settings;
        this.env = env;
        this.credentials = new CredentialStore(env.configDir());
    }

    public Settings settings() {
        return settings;
    }

    public URI serviceUrl() {
        return settings.serviceUrl();
    }

    public CredentialStore credentials() {
        return credentials;
    }

    public static String userAgent() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        return "nexctl/" + NexodusVersion.current() + " (" + (os.startsWith("linux") ? "linux" : os) + "; "
                + System.getProperty("os.arch", "unknown") + ")";
    }

    public TlsOptions tls() {
        if (settings.insecure() && settings.caCert() != null) {
            throw CliException.usage("--ca-cert and --insecure-skip-tls-verify exclude each other");
        }
        if (settings.insecure()) {
            return TlsOptions.insecure();
        }
        if (settings.caCert() != null) {
            if (!Files.isReadable(settings.caCert())) {
                throw CliException.usage("--ca-cert " + settings.caCert() + ": no such readable file");
            }
            return TlsOptions.trusting(settings.caCert());
        }
        return TlsOptions.DEFAULT;
    }

    /** A client without credentials (login, discovery). */
    public synchronized NexodusClient anonymous() {
        if (anonymous == null) {
            TlsOptions tls = tls();
            anonymous = NexodusClient.builder(settings.serviceUrl())
                    .tls(tls)
                    .userAgent(userAgent())
                    .build();
        }
        return anonymous;
    }

    /** The service's identity provider (discovered once per run). */
    public synchronized OidcClient idp() {
        if (idp == null) {
            debug("discovering the identity provider of " + settings.serviceUrl());
            idp = OidcClient.discover(anonymous());
            debug("identity provider " + idp.issuer() + ", client " + idp.clientId());
        }
        return idp;
    }

    /**
     * Resource-owner password grant against the service's identity provider. A login that is cached and renewed for
     * weeks ({@code nexctl login}) asks for offline access where the provider grants it; a one-shot login does not.
     */
    public TokenResponse passwordLogin(String username, String password, OidcClient.Access access) {
        return idp().passwordGrant(username, password, access);
    }

    /**
     * The authenticated client: with {@code --username} a fresh password login (nothing cached), otherwise the
     * tokens cached by {@code nexctl login} for this service URL (refreshed when due).
     */
    public synchronized NexodusClient api() {
        if (api != null) {
            return api;
        }
        if (settings.username() != null) {
            String password =
                    settings.password() != null ? settings.password() : Prompts.password(env, settings.username());
            debug("one-shot password login as " + settings.username());
            // nothing is cached: a session login, so no offline session is left behind in the provider
            TokenResponse t = passwordLogin(settings.username(), password, OidcClient.Access.SESSION);
            bearer = t::accessToken;
            api = anonymous().withToken(bearer);
        } else {
            StoredToken stored = credentials
                    .get(settings.serviceUrl())
                    .orElseThrow(
                            () -> CliException.auth("not logged in to " + CredentialStore.key(settings.serviceUrl())
                                    + ": run `nexctl login` (or pass --username and --password)"));
            debug("using the cached login of " + stored.username() + " from " + credentials.file());
            bearer = new CachedTokenSource(credentials, settings.serviceUrl(), stored, env.clock(), this::idp);
            api = anonymous().withToken(bearer);
        }
        return api;
    }

    /** The bearer token {@link #api()} sends (the cached one refreshed when due, or a one-shot login's). */
    public synchronized String accessToken() {
        api();
        return bearer.get();
    }

    /** The caller's user id, which is also the id of its default organization, VPC and security group. */
    public synchronized UUID currentUserId() {
        if (me == null) {
            me = api().users().me().id();
        }
        return me;
    }

    public void debug(String message) {
        if (settings.debug()) {
            env.err().println("debug: " + message);
        }
    }

    /** Parses and checks a service URL given by flag or environment. */
    public static URI parseServiceUrl(String s) {
        String v = s == null ? "" : s.strip();
        if (v.isEmpty()) {
            throw CliException.usage("--service-url is empty");
        }
        URI u;
        try {
            u = URI.create(v);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--service-url " + v + " is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || u.getHost() == null) {
            throw CliException.usage("--service-url must look like https://host[:port] or http://host:port, not " + v);
        }
        return u;
    }
}
