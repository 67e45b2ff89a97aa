package io.nexodus.nexctl.commands;

import io.nexodus.nexctl.auth.CredentialStore;
import io.nexodus.nexctl.auth.Session;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code nexctl logout}: forgets the cached tokens of the service URL. */
@Command(name = "logout", description = "Forget the cached login for the service (--service-url).")
public final class LogoutCommand extends BaseCommand {
    @Override
    public void run() {
        Session s = session();
        boolean had = s.credentials().remove(s.serviceUrl());
        String key = CredentialStore.key(s.serviceUrl());
        out().value(
                        Map.of("service_url", key, "logged_out", had),
                        had ? "Logged out of " + key + "." : "Not logged in to " + key + ".");
    }
}
