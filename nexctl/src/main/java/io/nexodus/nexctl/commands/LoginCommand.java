package io.nexodus.nexctl.commands;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.api.model.User;
import io.nexodus.nexctl.auth.CredentialStore;
import io.nexodus.nexctl.auth.Prompts;
import io.nexodus.nexctl.auth.Session;
import io.nexodus.nexctl.auth.StoredToken;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl login}: password grant against the service's identity provider, tokens cached per service URL. */
@Command(
        name = "login",
        description = {
            "Log in to the service and cache the tokens for later commands.",
            "Later commands use this service (and the --ca-cert given here) when",
            "neither --service-url nor NEXCTL_SERVICE_URL names another.",
            "The tokens go to ~/.config/nexodus/credentials.json (mode 0600) and are",
            "refreshed automatically. On a terminal it asks for what --username and",
            "--password do not give."
        })
public final class LoginCommand extends BaseCommand {
    @Option(names = "--password-stdin", description = "Read the password from standard input (for scripts).")
    boolean passwordStdin;

    @Override
    public void run() {
        Session s = session();
        String user = s.settings().username() != null ? s.settings().username() : Prompts.username(env());
        String password;
        if (passwordStdin) {
            password = Prompts.passwordFromStdin(env());
        } else if (s.settings().password() != null) {
            password = s.settings().password();
        } else {
            password = Prompts.password(env(), user);
        }
        TokenResponse t = s.passwordLogin(user, password, OidcClient.Access.OFFLINE_IF_GRANTED);
        boolean offline = OidcClient.offlineAccess(t);
        s.debug(
                offline
                        ? "offline access granted"
                        : "offline access not granted (scope '" + t.scope()
                                + "'): the login lasts as long as the session");
        StoredToken token = StoredToken.from(user, t, env().clock().instant())
                .withCaCert(
                        s.settings().caCert() == null
                                ? null
                                : s.settings()
                                        .caCert()
                                        .toAbsolutePath()
                                        .normalize()
                                        .toString());
        User me = s.anonymous().withToken(t::accessToken).users().me(); // the API accepts the token
        s.credentials().login(s.serviceUrl(), token);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("service_url", CredentialStore.key(s.serviceUrl()));
        result.put("username", me.username());
        result.put("user_id", me.id());
        result.put("expires_at", token.expiresAt());
        result.put("offline_access", offline);
        out().value(
                        result,
                        "Logged in to " + CredentialStore.key(s.serviceUrl()) + " as " + me.username() + " (user id "
                                + me.id() + ")."
                                + (offline
                                        ? ""
                                        : "\nThe identity provider did not grant offline access: this login lasts as"
                                                + " long as its session there; then run `nexctl login` again."));
    }
}
