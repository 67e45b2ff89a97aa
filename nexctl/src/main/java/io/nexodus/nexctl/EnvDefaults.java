package io.nexodus.nexctl;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Default values from environment variables ({@code NEXCTL_*}), read from the injected environment so tests can set
 * them. A flag on the command line always wins.
 */
final class EnvDefaults implements CommandLine.IDefaultValueProvider {
    /** Option name → environment variable. */
    static final Map<String, String> VARIABLES = Map.of(
            "--service-url", "NEXCTL_SERVICE_URL",
            "--username", "NEXCTL_USERNAME",
            "--password", "NEXCTL_PASSWORD",
            "--output", "NEXCTL_OUTPUT",
            "--insecure-skip-tls-verify", "NEXCTL_INSECURE_SKIP_TLS_VERIFY",
            "--ca-cert", "NEXCTL_CA_CERT",
            "--debug", "NEXCTL_DEBUG",
            "--unix-socket", "NEXCTL_UNIX_SOCKET");

    private final CliEnvironment env;

    EnvDefaults(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec o)) {
            return null;
        }
        String var = VARIABLES.get(o.longestName());
        if (var == null) {
            return null;
        }
        String v = env.getenv(var);
        if (v == null) {
            return null;
        }
        if (o.type() == boolean.class || o.type() == Boolean.class) {
            return truthy(v) ? "true" : "false";
        }
        return v;
    }

    static boolean truthy(String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on", "y" -> true;
            default -> false;
        };
    }
}
