package io.nexodus.server;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
