package io.nexodus.e2e.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Java main class of this project to run inside a lab node, with the same JDK and class path as the current JVM
 * (so scenario tests start the service and {@code nexd} without building the distribution).
 *
 * @param mainClass fully qualified main class, e.g. {@code io.nexodus.nexd.Main}
 * @param args      program arguments
 * @param jvmArgs   extra JVM options, placed after the defaults (so {@code -Xmx1g} overrides the default heap)
 * @param env       extra environment variables
 */
public record JavaCommand(String mainClass, List<String> args, List<String> jvmArgs, Map<String, String> env) {
    /**
     * Defaults for lab processes: native access for FFM (TUN, sockets), the serial collector and a modest heap,
     * because a scenario runs a dozen JVMs on two cores.
     */
    public static final List<String> DEFAULT_JVM_ARGS =
            List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto");

    public JavaCommand {
        Objects.requireNonNull(mainClass, "mainClass");
        args = List.copyOf(args);
        jvmArgs = List.copyOf(jvmArgs);
        env = Map.copyOf(env);
    }

    public static JavaCommand of(String mainClass, String... args) {
        return new JavaCommand(mainClass, List.of(args), List.of(), Map.of());
    }

    public static JavaCommand of(Class<?> mainClass, String... args) {
        return of(mainClass.getName(), args);
    }

    public JavaCommand withArgs(List<String> newArgs) {
        return new JavaCommand(mainClass, newArgs, jvmArgs, env);
    }

    public JavaCommand withJvmArgs(String... extra) {
        List<String> all = new ArrayList<>(jvmArgs);
        all.addAll(List.of(extra));
        return new JavaCommand(mainClass, args, all, env);
    }

    public JavaCommand withEnv(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put(key, value);
        return new JavaCommand(mainClass, args, jvmArgs, all);
    }

    /** The full command line: this JVM's {@code java}, defaults, extra JVM options, class path, main, arguments. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>();
        argv.add(javaExecutable());
        // an AOT cache (JDK 25) refuses any -Xshare option, so the default -Xshare:auto gives way to it
        boolean aot = jvmArgs.stream().anyMatch(a -> a.startsWith("-XX:AOTCache"));
        DEFAULT_JVM_ARGS.stream().filter(a -> !(aot && a.startsWith("-Xshare"))).forEach(argv::add);
        argv.addAll(jvmArgs);
        argv.add("-cp");
        argv.add(classPath());
        argv.add(mainClass);
        argv.addAll(args);
        return argv;
    }

    /** The {@code java} launcher of the running JVM. */
    public static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(c -> c.endsWith("/java"))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The running JVM's class path. Under Surefire/Failsafe this may be a manifest-only jar that lists the real
     * entries; that works for a child JVM as long as the test JVM lives.
     */
    public static String classPath() {
        return System.getProperty("java.class.path");
    }
}
