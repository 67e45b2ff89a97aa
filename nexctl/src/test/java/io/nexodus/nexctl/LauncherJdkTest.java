package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/lib/jdk.sh}, which {@code bin/nexctl}, {@code bin/nexodus} and {@code ./mvnw} use to find JDK 25, run
 * against fake JDK directories ({@code NEXODUS_JVM_DIR} replaces {@code /usr/lib/jvm}), under dash (as {@code mvnw}
 * runs it) and bash (as the launchers do); and a launcher without any JDK 25 stops with the clear message.
 */
class LauncherJdkTest {
    static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    /** A fake JDK: bin/java, bin/javac and a release file saying {@code version} (no release file when null). */
    private Path fakeJdk(Path dir, String version, String versionFromJava) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path p = dir.resolve("bin").resolve(tool);
            // the fallback when there is no release file: `java -XshowSettings:properties -version`
            Files.writeString(p, "#!/bin/sh\necho '    java.specification.version = " + versionFromJava + "' >&2\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (version != null) {
            Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        }
        return dir;
    }

    private Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Sources jdk.sh in {@code shell} and calls it as {@code mvnw} does ({@code set -euf}), prints the JAVA_HOME it found. */
    private Run findJdk(String shell, Map<String, String> env) throws Exception {
        String script =
                "set -euf; . '" + BIN.resolve("lib/jdk.sh") + "'; nexodus_find_jdk || exit 1; echo \"$JAVA_HOME\"";
        return run(env, shell, "-c", script);
    }

    @Test
    void findsJdk25InTheJvmDirectoryAndIgnoresOlderOnes() throws Exception {
        Path jvm = Files.createDirectories(tmp.resolve("jvm"));
        fakeJdk(jvm.resolve("java-17-openjdk-amd64"), "17.0.9", "17");
        Path jdk25 = fakeJdk(jvm.resolve("temurin-25-jdk-amd64"), "25.0.1", "25");
        Files.createDirectories(jvm.resolve("not-a-jdk-25"));
        for (String shell : List.of("sh", "bash")) {
            Run r = findJdk(shell, Map.of("NEXODUS_JVM_DIR", jvm.toString(), "JAVA_HOME", "/nonexistent"));
            assertThat(r.exit()).as(shell + ": " + r).isZero();
            assertThat(r.out().strip()).isEqualTo(jdk25.toString());
        }
    }

    @Test
    void javaHomeWinsWhenItIs25OrNewerAndTheVersionComesFromJavaWithoutAReleaseFile() throws Exception {
        Path jvm = Files.createDirectories(tmp.resolve("jvm"));
        fakeJdk(jvm.resolve("temurin-25-jdk-amd64"), "25.0.1", "25");
        Path own = fakeJdk(tmp.resolve("my-jdk-26"), null, "26");
        for (String shell : List.of("sh", "bash")) {
            Run r = findJdk(shell, Map.of("NEXODUS_JVM_DIR", jvm.toString(), "JAVA_HOME", own.toString()));
            assertThat(r.exit()).as(shell + ": " + r).isZero();
            assertThat(r.out().strip()).isEqualTo(own.toString());
        }
    }

    @Test
    void noJdk25IsAClearErrorThatSaysWhereItLooked() throws Exception {
        Path jvm = Files.createDirectories(tmp.resolve("jvm"));
        Path jdk17 = fakeJdk(jvm.resolve("java-17-openjdk-amd64"), "17.0.9", "17");
        for (String shell : List.of("sh", "bash")) {
            Run r = findJdk(shell, Map.of("NEXODUS_JVM_DIR", jvm.toString()));
            assertThat(r.exit()).as(shell + ": " + r).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err())
                    .isEqualTo("error: JDK 25 not found. Set JAVA_HOME to a JDK 25 (or newer), or install one under "
                            + jvm + "\n" + "       (e.g. Temurin 25: /usr/lib/jvm/temurin-25-jdk-amd64).\n");

            r = findJdk(shell, Map.of("NEXODUS_JVM_DIR", jvm.toString(), "JAVA_HOME", jdk17.toString()));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err())
                    .endsWith("(JAVA_HOME=" + jdk17 + " is Java 17, not 25 or newer; nothing suitable in " + jvm
                            + " either.)\n");

            r = findJdk(shell, Map.of("NEXODUS_JVM_DIR", jvm.toString(), "JAVA_HOME", "/nonexistent"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err())
                    .endsWith("(JAVA_HOME=/nonexistent is not a JDK (no bin/javac); nothing suitable in " + jvm
                            + " either.)\n");
        }
    }

    @Test
    void launchersStopBeforeBuildingAnythingWhenThereIsNoJdk() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-jvms"));
        for (String launcher : List.of("nexctl", "nexodus")) {
            List<String> cmd = new ArrayList<>(List.of(BIN.resolve(launcher).toString(), "--help"));
            Run r = run(
                    Map.of("NEXODUS_JVM_DIR", empty.toString(), "JAVA_HOME", "/nonexistent", "HOME", tmp.toString()),
                    cmd.toArray(String[]::new));
            assertThat(r.exit()).as(launcher + ": " + r).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("error: JDK 25 not found.").doesNotContain("building");
        }
    }
}
