package io.nexodus.nexctl;

/** {@code bin/nexctl}: runs {@link Nexctl} on the real process environment and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // bin/* share one class path; pick nexctl's quiet logging config instead of whichever logback.xml comes first
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/nexodus/nexctl/logback-nexctl.xml");
        }
        int rc = Nexctl.run(args, CliEnvironment.system());
        System.exit(rc); // the HTTP client's threads must not keep a CLI alive
    }
}
