package io.nexodus.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories of tests and benchmarks (data dirs, install roots, image bundles): removed with their contents. */
public final class WorkDirs {
    private WorkDirs() {}

    /** Deletes {@code dir} and everything in it; nothing when it is null or already gone. Symbolic links are not followed. */
    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** As {@link #delete}, for clean-up paths that must not fail: returns false when something could not be removed. */
    public static boolean deleteQuietly(Path dir) {
        try {
            delete(dir);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
