package io.nexodus.nexctl.commands;

import io.nexodus.nexctl.auth.CredentialStore;
import io.nexodus.nexctl.auth.Session;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code nexctl token}: prints a valid access token of the login, so other tools (curl, scripts) can call the API
 * as the user — e.g. to open a watch stream, which nexctl has no command for.
 */
@Command(
        name = "token",
        description = {
            "Print an access token of your login, for other tools.",
            "It is refreshed first when due. Use: curl -H \"Authorization: Bearer $(nexctl token)\" ...",
            "It is valid for a limited time (1 hour with the built-in identity provider)."
        })
public final class TokenCommand extends BaseCommand {
    @Override
    public void run() {
        Session s = session();
        String token = s.accessToken();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("service_url", CredentialStore.key(s.serviceUrl()));
        result.put("access_token", token);
        out().value(result, token);
    }
}
