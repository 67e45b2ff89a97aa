package io.nexodus.nexctl.auth;

import io.nexodus.nexctl.CliEnvironment;
import io.nexodus.nexctl.CliException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Asks the person at the terminal; fails with a usage error when there is no terminal. */
public final class Prompts {
    private Prompts() {}

    public static String username(CliEnvironment env) {
        if (env.console() == null) {
            throw CliException.usage("no username: pass --username (or set NEXCTL_USERNAME)");
        }
        String u = env.console().readLine("Username: ");
        if (u == null || u.isBlank()) {
            throw CliException.usage("no username given");
        }
        return u.strip();
    }

    public static String password(CliEnvironment env, String username) {
        if (env.console() == null) {
            throw CliException.usage("no password for " + username
                    + ": pass --password, set NEXCTL_PASSWORD, or use `nexctl login --password-stdin`");
        }
        char[] p = env.console().readPassword("Password for %s: ", username);
        if (p == null || p.length == 0) {
            throw CliException.usage("no password given");
        }
        return new String(p);
    }

    /** A password from standard input ({@code --password-stdin}): the first 4 KiB, stripped; empty is a usage error. */
    public static String passwordFromStdin(CliEnvironment env) {
        try {
            String p = new String(env.in().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (p.isEmpty()) {
                throw CliException.usage("--password-stdin: standard input is empty");
            }
            return p;
        } catch (IOException e) {
            throw CliException.usage("--password-stdin: cannot read standard input: " + e.getMessage());
        }
    }
}
