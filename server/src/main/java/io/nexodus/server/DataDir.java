package io.nexodus.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The data directory holds the embedded database (password hashes, the JWT signing key), the generated admin
 * password and the TLS keys, so the service creates it readable by its owner only (0700, like the XDG data
 * directories), and says so when an existing one is open to other users.
 */
final class DataDir {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private DataDir() {}

    /**
     * Creates {@code dir} (and missing parents) with mode 0700. Returns a warning when an existing directory is
     * accessible to group or others (its permissions are the owner's choice and are left as they are).
     */
    static Optional<String> prepare(Path dir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
            return Optional.empty();
        }
        if (!posix) {
            return Optional.empty();
        }
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dir));
        perms.retainAll(OTHERS);
        if (perms.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the data directory " + dir.toAbsolutePath() + " is accessible to other users ("
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))
                + "); it holds the database with the token signing key: "
                + "chmod 700 " + dir.toAbsolutePath());
    }

    /**
     * Holds {@code <dir>/service.pid} locked for as long as the service runs, so that a second service started on the
     * same directory (whose embedded database would wait for H2's file lock and fail with H2's words) stops at once
     * with one line naming the first one's PID. The lock is the kernel's (released when the process dies, also on a
     * crash); the file stays, holding the last owner's PID.
     */
    static AutoCloseable lock(Path dir, long pid) throws IOException {
        Path file = dir.resolve("service.pid");
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this process holds it already (a second service in the same JVM)
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String owner;
            try {
                owner = Files.readString(file, StandardCharsets.US_ASCII).strip();
            } finally {
                channel.close();
            }
            throw new IOException("another Nexodus service" + (owner.matches("\\d{1,10}") ? " (PID " + owner + ")" : "")
                    + " is using the data directory " + dir.toAbsolutePath()
                    + "; stop it, or give this one its own --data-dir");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        FileLock held = lock;
        return () -> {
            held.release();
            channel.close();
        };
    }
}
