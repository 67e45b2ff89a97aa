package io.nexodus.api.nexdctl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this Nexodus build, the same for nexd and nexctl because they ship together: the {@code version}
 * Maven writes into the api jar ({@code META-INF/maven/io.nexodus/api/pom.properties}), or {@code "dev"} when the
 * classes do not come from a jar (tests, IDE). nexctl refuses to control a nexd whose version differs.
 */
public final class NexodusVersion {
    private static final String CURRENT = read();

    private NexodusVersion() {}

    public static String current() {
        return CURRENT;
    }

    private static String read() {
        try (InputStream in =
                NexodusVersion.class.getResourceAsStream("/META-INF/maven/io.nexodus/api/pom.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isBlank() ? "dev" : v.strip();
        } catch (IOException | RuntimeException e) {
            return "dev";
        }
    }
}
