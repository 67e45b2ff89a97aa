package io.nexodus.core.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that hold secrets (private keys, generated passwords) and their public companions (certificates). Each is
 * written whole to a temporary file in the same directory and renamed into place, so a reader never sees half a key; a
 * secret's temporary file is created owner-only (0600), so the secret is never readable by others, not even for a
 * moment. Public files get 0644.
 */
public final class SecretFiles {
    /** {@code rw-------}: what a private key file gets. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** {@code rw-r--r--}: what a certificate file gets. */
    public static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private SecretFiles() {}

    /** Writes {@code text} as a secret: mode 0600, replacing any existing file atomically. */
    public static void writeSecret(Path file, String text) throws IOException {
        replace(file, text, OWNER_ONLY);
    }

    /** Writes {@code text} as a public file: mode 0644, replacing any existing file atomically. */
    public static void writePublic(Path file, String text) throws IOException {
        replace(file, text, WORLD_READABLE);
    }

    /**
     * Creates {@code file} holding {@code text} with mode 0600 unless it exists. Returns false, leaving the existing
     * file alone, when it exists, also when another process created it a moment earlier: the file appears whole through
     * a hard link, which fails when the name is taken (a rename would replace it).
     */
    public static boolean createSecret(Path file, String text) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Path tmp = temp(file, text, OWNER_ONLY);
        try {
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            try {
                Files.move(tmp, file); // no hard links here: without REPLACE_EXISTING the move fails if it exists
                return true;
            } catch (FileAlreadyExistsException e2) {
                return false;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void replace(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
        Path tmp = temp(file, text, mode);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path temp(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(mode);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attr);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, mode); // createTempFile's mode is masked by the umask
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
