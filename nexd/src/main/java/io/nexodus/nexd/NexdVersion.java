package io.nexodus.nexd;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This build's version (from the jar's Maven properties; "dev" when run from classes). */
public final class NexdVersion {
    private static final String CURRENT = read();

    private NexdVersion() {}

    public static String current() {
        return CURRENT;
    }

    private static String read() {
        try (InputStream in = NexdVersion.class.getResourceAsStream("/META-INF/maven/io.nexodus/nexd/pom.properties")) {
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
