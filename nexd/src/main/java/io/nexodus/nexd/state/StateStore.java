package io.nexodus.nexd.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code <state-dir>/state.json}: read once at start, written atomically (temporary file in the same directory,
 * fsync, rename, fsync of the directory) so a crash leaves either the old or the new state, never a torn file. The
 * directory is 0700 and the file 0600: the file holds the WireGuard private key.
 */
public final class StateStore {
    public static final String FILE_NAME = "state.json";
    public static final String PEER_MAP_FILE = "peer-map.json";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final Path file;
    private final ObjectMapper json = Json.mapper();

    public StateStore(Path dir) {
        this.dir = dir.toAbsolutePath();
        this.file = this.dir.resolve(FILE_NAME);
    }

    public Path directory() {
        return dir;
    }

    public Path file() {
        return file;
    }

    /**
     * The stored state, or {@link NexdState#EMPTY} when there is none yet. A file that is not valid JSON is an error
     * (never silently replaced: it holds the device's identity).
     */
    public synchronized NexdState load() throws StateException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return NexdState.EMPTY;
        } catch (IOException e) {
            throw new StateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            return NexdState.EMPTY;
        }
        try {
            NexdState s = json.readValue(bytes, NexdState.class);
            return s == null ? NexdState.EMPTY : s;
        } catch (IOException e) {
            throw new StateException(
                    file + " is not a valid nexd state file ("
                            + e.getMessage().lines().findFirst().orElse("")
                            + "); move it away to register as a new device",
                    e);
        }
    }

    /** Reads, changes and writes the state as one step (other threads' updates are not lost). */
    public synchronized NexdState update(UnaryOperator<NexdState> change) throws StateException {
        NexdState next = change.apply(load());
        save(next);
        return next;
    }

    /** Writes {@code state} atomically with mode 0600, creating the directory (0700) if needed. */
    public synchronized void save(NexdState state) throws StateException {
        try {
            write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        } catch (IOException e) {
            throw new StateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code <state-dir>/peer-map.json}: the last peer map the service signed for this device. */
    public Path peerMapFile() {
        return dir.resolve(PEER_MAP_FILE);
    }

    /**
     * The stored peer map, empty when there is none. A file that cannot be read as one is an error (the caller logs it
     * and starts as without a map; the next map the service signs replaces it).
     */
    public synchronized Optional<StoredPeerMap> loadPeerMap() throws StateException {
        Path f = peerMapFile();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read " + f + ": " + e.getMessage(), e);
        }
        try {
            return Optional.ofNullable(json.readValue(bytes, StoredPeerMap.class));
        } catch (IOException e) {
            throw new StateException(
                    f + " is not a stored peer map ("
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")",
                    e);
        }
    }

    /** Replaces the stored peer map atomically (mode 0600). */
    public synchronized void savePeerMap(StoredPeerMap map) throws StateException {
        Path f = peerMapFile();
        try {
            write(f, json.writeValueAsBytes(map));
        } catch (IOException e) {
            throw new StateException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    /** Removes the stored peer map (the device was deleted: a restart must not come back from it). */
    public synchronized void deletePeerMap() throws StateException {
        try {
            Files.deleteIfExists(peerMapFile());
        } catch (IOException e) {
            throw new StateException("cannot remove " + peerMapFile() + ": " + e.getMessage(), e);
        }
    }

    /** Temporary file in the directory, fsync, rename over {@code target}, fsync of the directory. */
    private void write(Path target, byte[] bytes) throws IOException, StateException {
        ensureDirectory();
        Path tmp = dir.resolve(
                "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(
                tmp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE_MODE))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new StateException("cannot replace " + target + " atomically: " + e.getMessage(), e);
        }
        syncDirectory();
    }

    private void ensureDirectory() throws IOException {
        try {
            Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            // an existing directory keeps its mode unless it is readable by others: then tighten it
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.contains(PosixFilePermission.GROUP_READ)
                || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not all file systems allow fsync on a directory; the rename itself is atomic
        }
    }
}
