package io.nexodus.nexd.agent;

import io.nexodus.api.auth.OAuthException;
import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.auth.OidcTokenSource;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.nexd.state.NexdState;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.nexd.state.StoredToken;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates to the service, as upstream nexd: a registration key is used as the bearer token directly; otherwise
 * the user logs in (password grant with {@code --username/--password}, a stored refresh token from an earlier login,
 * or the device authorization flow, whose URL and code are shown in the log and in {@code nexctl nexd status}).
 * User tokens are kept in the state file ({@code auth-token}) so a restart needs no new login.
 *
 * <p>Offline access: the device login asks for it where the identity provider grants it (its refresh token is what a
 * restart without {@code --username} logs in with, possibly weeks later). The password login never asks for it: nexd
 * has the password and logs in with it again whenever the refresh token is refused, so an unattended
 * {@code --username/--password} start leaves no offline session behind in the provider.
 */
final class ServiceLogin {
    private static final Logger log = LoggerFactory.getLogger(ServiceLogin.class);

    /** An authenticated client and what kind of credential it uses. */
    record Login(NexodusClient client, boolean regKey) {}

    private final AgentConfig config;
    private final StateStore store;
    private final Consumer<AgentStatus> status;
    private final Clock clock;

    ServiceLogin(AgentConfig config, StateStore store, Consumer<AgentStatus> status, Clock clock) {
        this.config = config;
        this.store = store;
        this.status = status;
        this.clock = clock;
    }

    Login login(NexodusClient anonymous) throws StartupException, InterruptedException {
        if (config.regKey().isPresent()) {
            String rk = config.regKey().get();
            return new Login(anonymous.withToken(() -> rk), true);
        }
        OidcClient idp = OidcClient.discover(anonymous);
        TokenResponse token;
        Supplier<TokenResponse> relogin = null;
        if (config.username().isPresent()) {
            String username = config.username().get();
            String password = config.password()
                    .orElseThrow(
                            () -> new StartupException("--username needs a password: --password or NEXD_PASSWORD"));
            try {
                token = idp.passwordGrant(username, password, OidcClient.Access.SESSION);
            } catch (OAuthException e) {
                if ("invalid_grant".equals(e.error())) {
                    throw new StartupException("the service rejected the username or password for '" + username + "'");
                }
                throw new StartupException("login failed: " + e.getMessage(), e);
            }
            // the provider's session may end (Keycloak: after 10 h) before a re-registration needs the login again
            relogin = () -> idp.passwordGrant(username, password, OidcClient.Access.SESSION);
        } else {
            token = storedLogin(idp).orElse(null);
            if (token == null) {
                token = deviceFlow(idp);
            }
        }
        save(token);
        OidcTokenSource source = new OidcTokenSource(idp, token, clock, this::save, relogin);
        return new Login(anonymous.withToken(source), false);
    }

    private Optional<TokenResponse> storedLogin(OidcClient idp) {
        NexdState s;
        try {
            s = store.load();
        } catch (StateException e) {
            return Optional.empty();
        }
        if (s.authToken() == null || s.authToken().refreshToken() == null) {
            return Optional.empty();
        }
        try {
            TokenResponse t = idp.refresh(s.authToken().refreshToken());
            log.info("logged in with the stored token from {}", store.file());
            return Optional.of(t);
        } catch (OAuthException e) {
            log.info("the stored login is no longer valid ({}); a new login is needed", e.error());
            return Optional.empty();
        }
    }

    private TokenResponse deviceFlow(OidcClient idp) throws StartupException, InterruptedException {
        TokenResponse t;
        boolean[] shown = {false};
        try {
            t = idp.deviceLogin(OidcClient.Access.OFFLINE_IF_GRANTED, (d, again) -> {
                shown[0] = true;
                String url = d.verificationUriComplete() != null ? d.verificationUriComplete() : d.verificationUri();
                String msg = (again == null ? "Your device must be registered with Nexodus." : "Once more: " + again)
                        + "\n    Your one-time code is: " + d.userCode()
                        + "\n    Please open the following URL in your browser to sign in:\n    " + url;
                status.accept(AgentStatus.of(AgentStatus.WAITING_FOR_AUTH, msg));
                System.err.println(msg);
            });
        } catch (OAuthException e) {
            throw new StartupException("the device login did not complete: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (shown[0]) {
                throw e; // e.g. the service unreachable while waiting for the approval: retried
            }
            throw new StartupException(
                    "no registration key, no --username, and the device login cannot start: " + e.getMessage(), e);
        }
        if (!OidcClient.offlineAccess(t)) {
            log.warn("the identity provider did not grant offline access: the stored login lasts as long as its session"
                    + " there; a restart after that needs a new device login");
        }
        return t;
    }

    private void save(TokenResponse t) {
        try {
            StoredToken token = new StoredToken(
                    t.accessToken(),
                    t.tokenType(),
                    t.refreshToken(),
                    clock.instant().plusSeconds(Math.max(0, t.expiresIn())));
            store.update(s -> s.withAuthToken(token));
        } catch (StateException e) {
            log.warn("cannot keep the login token: {}", e.getMessage());
        }
    }
}
