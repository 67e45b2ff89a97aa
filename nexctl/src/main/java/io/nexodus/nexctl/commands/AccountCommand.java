package io.nexodus.nexctl.commands;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Account;
import io.nexodus.api.model.AddAccount;
import io.nexodus.nexctl.CliEnvironment;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.auth.Prompts;
import io.nexodus.nexctl.output.Table;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nexctl account ...}: local login accounts of the service's built-in identity provider. */
@Command(
        name = "account",
        aliases = "accounts",
        description = "Login accounts of the service's built-in identity provider (administrators only).")
public final class AccountCommand extends BaseCommand {

    static Table<Account> table() {
        return Table.<Account>builder()
                .col("USER NAME", Account::username)
                .col("FULL NAME", a -> a.fullName() == null ? "" : a.fullName())
                .col("EMAIL", a -> a.email() == null ? "" : a.email())
                .col("ADMIN", Account::admin)
                .col("USER ID", Account::userId)
                .build();
    }

    @Command(name = "list", description = "List the login accounts.")
    void list() {
        out().list(table(), api().accounts().list(ListOptions.NONE).items());
    }

    @Command(
            name = "create",
            description = {
                "Create a login account and its user (with the user's own organization, VPC and security group).",
                "The new account's password (8 characters or more) is asked for twice on a terminal, or read from",
                "standard input with --password-stdin."
            })
    void create(
            @Parameters(paramLabel = "NAME", description = "The new account's user name.") String name,
            @Option(names = "--full-name", paramLabel = "TEXT", description = "The person's name (optional).")
                    String fullName,
            @Option(names = "--email", paramLabel = "ADDRESS", description = "The person's email address (optional).")
                    String email,
            @Option(names = "--password-stdin", description = "Read the new account's password from standard input.")
                    boolean passwordStdin) {
        String password = passwordStdin ? Prompts.passwordFromStdin(env()) : askTwice(env(), name);
        out().item(table(), api().accounts().create(new AddAccount(name, password, fullName, email)));
    }

    private static String askTwice(CliEnvironment env, String name) {
        if (env.console() == null) {
            throw CliException.usage("no password for the new account " + name
                    + ": run on a terminal, or pass it on standard input with --password-stdin");
        }
        char[] first = env.console().readPassword("Password for the new account %s: ", name);
        char[] again = env.console().readPassword("The same password again: ");
        if (first == null || first.length == 0) {
            throw CliException.usage("no password given");
        }
        if (!Arrays.equals(first, again)) {
            throw CliException.usage("the two passwords differ");
        }
        return new String(first);
    }
}
