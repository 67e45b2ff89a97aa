package io.nexodus.nexctl;

import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.nexctl.auth.CredentialStore;
import io.nexodus.nexctl.auth.Session;
import io.nexodus.nexctl.auth.Settings;
import io.nexodus.nexctl.auth.StoredToken;
import io.nexodus.nexctl.commands.AccountCommand;
import io.nexodus.nexctl.commands.AuditCommand;
import io.nexodus.nexctl.commands.CompletionCommand;
import io.nexodus.nexctl.commands.DeviceCommand;
import io.nexodus.nexctl.commands.FeatureFlagCommand;
import io.nexodus.nexctl.commands.InvitationCommand;
import io.nexodus.nexctl.commands.LoginCommand;
import io.nexodus.nexctl.commands.LogoutCommand;
import io.nexodus.nexctl.commands.OrganizationCommand;
import io.nexodus.nexctl.commands.RegKeyCommand;
import io.nexodus.nexctl.commands.RelayCommand;
import io.nexodus.nexctl.commands.SecurityGroupCommand;
import io.nexodus.nexctl.commands.TokenCommand;
import io.nexodus.nexctl.commands.UserCommand;
import io.nexodus.nexctl.commands.VersionCommand;
import io.nexodus.nexctl.commands.VpcCommand;
import io.nexodus.nexctl.nexd.NexdCommand;
import io.nexodus.nexctl.output.OutputFormat;
import io.nexodus.nexctl.output.Printer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code nexctl} command: global options, the subcommands, and how a run turns into an exit code. */
@Command(
        name = "nexctl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = Nexctl.Version.class,
        usageHelpAutoWidth = true,
        sortOptions = false,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Manage a Nexodus service and control the local nexd agent.",
            "",
            "Log in first: `nexctl login`. The tokens are cached per service URL in",
            "$XDG_CONFIG_HOME/nexodus/credentials.json (default ~/.config/nexodus, mode",
            "0600) and refreshed automatically. --username/--password log in for one",
            "command only, without caching anything.",
            ""
        },
        footerHeading = "%n",
        footer = {
            "Environment: NEXCTL_SERVICE_URL, NEXCTL_USERNAME, NEXCTL_PASSWORD,",
            "  NEXCTL_OUTPUT, NEXCTL_CA_CERT, NEXCTL_INSECURE_SKIP_TLS_VERIFY,",
            "  NEXCTL_DEBUG, NEXCTL_UNIX_SOCKET (a flag wins over its variable).",
            "Exit codes: 0 ok; 1 the service or nexd answered with an error; 2 bad",
            "  usage; 3 not logged in, login failed or session expired; 4 cannot reach",
            "  the service or nexd.",
            "Shell completion: source <(nexctl completion bash)"
        })
public final class Nexctl implements Runnable {
    public static final String DEFAULT_SERVICE_URL = "http://localhost:8080";

    /** The top-level commands, in help order. */
    static final List<Class<?>> COMMANDS = List.of(
            LoginCommand.class,
            LogoutCommand.class,
            TokenCommand.class,
            VersionCommand.class,
            UserCommand.class,
            AccountCommand.class,
            AuditCommand.class,
            OrganizationCommand.class,
            InvitationCommand.class,
            VpcCommand.class,
            DeviceCommand.class,
            RegKeyCommand.class,
            SecurityGroupCommand.class,
            FeatureFlagCommand.class,
            RelayCommand.class,
            NexdCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class);

    /** Global options that take a value (to find the command word in the arguments). */
    private static final Set<String> VALUE_OPTIONS =
            Set.of("--service-url", "--username", "--password", "-o", "--output", "--ca-cert");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--service-url",
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            order = 1,
            description = "The Nexodus service (env NEXCTL_SERVICE_URL; default: the service of the last `nexctl "
                    + "login`, else " + DEFAULT_SERVICE_URL + ").")
    String serviceUrl;

    @Option(
            names = "--username",
            scope = ScopeType.INHERIT,
            paramLabel = "NAME",
            order = 2,
            description = "Log in with this user for this one command (nothing is cached; env NEXCTL_USERNAME).")
    String username;

    @Option(
            names = "--password",
            scope = ScopeType.INHERIT,
            paramLabel = "PASSWORD",
            order = 3,
            description = "Its password (env NEXCTL_PASSWORD; prompted for on a terminal if missing).")
    String password;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            paramLabel = "FORMAT",
            defaultValue = "column",
            order = 4,
            converter = OutputFormat.Converter.class,
            completionCandidates = OutputFormat.Candidates.class,
            description = "column, no-header, json, json-raw or yaml (default ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Option(
            names = "--ca-cert",
            scope = ScopeType.INHERIT,
            paramLabel = "FILE",
            order = 5,
            description =
                    "Trust this CA (PEM) for the service's TLS certificate, e.g. the one `nexodus serve --tls self-signed` wrote; "
                            + "`nexctl login` remembers it for that service.")
    Path caCert;

    @Option(
            names = "--insecure-skip-tls-verify",
            scope = ScopeType.INHERIT,
            order = 6,
            description = "Do not check the service's TLS certificate (insecure; for tests only).")
    boolean insecureSkipTlsVerify;

    @Option(
            names = "--debug",
            scope = ScopeType.INHERIT,
            order = 7,
            description = "Explain what nexctl does, on stderr, with stack traces of errors (env NEXCTL_DEBUG).")
    boolean debug;

    private final CliEnvironment env;
    private Session session;

    public Nexctl(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    public CliEnvironment env() {
        return env;
    }

    public boolean debug() {
        return debug;
    }

    /** The session for this run (created on first use). */
    public synchronized Session session() {
        if (session == null) {
            CredentialStore store = new CredentialStore(env.configDir());
            URI url = serviceUrl != null
                    ? Session.parseServiceUrl(serviceUrl)
                    : store.current().orElse(URI.create(DEFAULT_SERVICE_URL));
            Path ca = caCert;
            if (ca == null && !insecureSkipTlsVerify) {
                // the CA given at login for this service, while that file is still there
                ca = store.get(url)
                        .map(StoredToken::caCert)
                        .map(Path::of)
                        .filter(Files::isReadable)
                        .orElse(null);
            }
            session = new Session(
                    new Settings(url, blankToNull(username), password, ca, insecureSkipTlsVerify, debug), env);
        }
        return session;
    }

    public Printer printer() {
        return new Printer(output == null ? OutputFormat.COLUMN : output, env.out());
    }

    /** The service URL if it is valid, for error messages. */
    synchronized URI serviceUrlOrNull() {
        if (session != null) {
            return session.serviceUrl();
        }
        try {
            return serviceUrl == null ? null : Session.parseServiceUrl(serviceUrl);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Builds the whole command line for {@code env}. */
    public static CommandLine commandLine(CliEnvironment env) {
        return commandLine(env, COMMANDS);
    }

    /**
     * Builds the command line for running {@code args}: only the one top-level command they name is modelled, because
     * picocli's reflection over all ~80 commands is most of a CLI run's time. Root help, completion, the help command
     * and unknown words get every command (for the listing and "did you mean").
     */
    public static CommandLine commandLine(CliEnvironment env, String[] args) {
        Class<?> only = commandFor(args);
        return commandLine(env, only == null ? COMMANDS : List.of(only));
    }

    private static CommandLine commandLine(CliEnvironment env, List<Class<?>> commands) {
        Nexctl root = new Nexctl(env);
        CommandLine cl = new CommandLine(root);
        for (Class<?> c : commands) {
            cl.addSubcommand(c);
        }
        trimSubcommandHelp(cl);
        cl.setOut(new PrintWriter(env.out(), true, env.out().charset()));
        cl.setErr(new PrintWriter(env.err(), true, env.err().charset()));
        cl.setDefaultValueProvider(new EnvDefaults(env));
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cl.getOut().flush();
            if (ex instanceof CommandLine.ParameterException p) {
                return usageError(p);
            }
            return new ErrorReporter(env.err(), root.debug, root.serviceUrlOrNull())
                    .report(ex, cmd.getCommandSpec().qualifiedName());
        });
        return cl;
    }

    /** Prints a usage error (with the command's usage when a subcommand is missing) and returns {@link ExitCodes#USAGE}. */
    private static int usageError(CommandLine.ParameterException ex) {
        PrintWriter err = ex.getCommandLine().getErr();
        if (ex.getMessage() != null && ex.getMessage().startsWith("Missing required subcommand")) {
            ex.getCommandLine().usage(err);
            err.println();
        }
        String message = ex.getMessage() == null ? "" : ex.getMessage();
        // picocli words some messages (argument groups) as "Error: ..."; we already say "error: ".
        err.println("error: " + (message.startsWith("Error: ") ? message.substring("Error: ".length()) : message));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The top-level command class {@code args} name, or null when every command is needed. */
    static Class<?> commandFor(String[] args) {
        String word = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("-")) {
                if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                    return null;
                }
                if (VALUE_OPTIONS.contains(a)) {
                    i++;
                }
                continue;
            }
            word = a;
            break;
        }
        if (word == null) {
            return null;
        }
        for (Class<?> c : COMMANDS) {
            Command cmd = c.getAnnotation(Command.class);
            if (cmd == null || c == CompletionCommand.class || c == CommandLine.HelpCommand.class) {
                continue;
            }
            if (cmd.name().equals(word) || List.of(cmd.aliases()).contains(word)) {
                return c;
            }
        }
        return null;
    }

    /** Runs nexctl with {@code args} and returns the exit code. */
    public static int run(String[] args, CliEnvironment env) {
        int rc = commandLine(env, args).execute(args);
        env.out().flush();
        env.err().flush();
        return rc;
    }

    /**
     * Subcommands inherit the root's command attributes (for -h/--help); keep the root's footer on the root only and
     * list options in declaration order (the inherited global options last).
     */
    private static void trimSubcommandHelp(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().footer(new String[0]);
            sub.getCommandSpec().usageMessage().footerHeading("");
            sub.getCommandSpec().usageMessage().sortOptions(false);
            trimSubcommandHelp(sub);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** {@code nexctl --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nexctl " + NexodusVersion.current()};
        }
    }
}
