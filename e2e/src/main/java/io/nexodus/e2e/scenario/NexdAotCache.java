package io.nexodus.e2e.scenario;

import io.nexodus.e2e.lab.JavaCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The AOT cache that {@code bin/nexd} uses, made for the class path of lab processes (the running JVM's), so that the
 * dozen nexd starts of a scenario class or the playground load their classes from the cache too: {@code io.nexodus.nexd.AotTraining}
 * run once with {@code -XX:AOTCacheOutput}. If the training fails, agents run without a cache (slower, same
 * behaviour).
 */
public final class NexdAotCache {
    private NexdAotCache() {}

    /**
     * Makes the cache in {@code dir}; returns the JVM options that use it, or none. The JVM archives classes from jars
     * only: with a class directory on the class path (tests run from {@code target/classes}) there is no cache.
     */
    public static List<String> create(Path dir) {
        for (String entry : JavaCommand.classPath().split(File.pathSeparator, -1)) {
            if (Files.isDirectory(Path.of(entry))) {
                return List.of();
            }
        }
        try {
            Files.createDirectories(dir);
            Path cache = dir.toAbsolutePath().resolve("nexd.aot");
            List<String> argv = new ArrayList<>(List.of(JavaCommand.javaExecutable()));
            JavaCommand.DEFAULT_JVM_ARGS.stream()
                    .filter(a -> !a.startsWith("-Xshare"))
                    .forEach(argv::add);
            argv.addAll(List.of(
                    "-XX:AOTCacheOutput=" + cache,
                    "-Xlog:aot=off",
                    "-Xlog:cds=off",
                    "-cp",
                    JavaCommand.classPath(),
                    "io.nexodus.nexd.AotTraining"));
            Process p = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nexd-aot-training.log").toFile())
                    .start();
            if (p.waitFor() == 0 && Files.size(cache) > 0) {
                return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
            }
        } catch (IOException | RuntimeException e) {
            // no cache: agents start without one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }
}
