package io.nexodus.nexctl.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The token cache: {@code <config dir>/credentials.json}, one entry per service URL, readable only by the user
 * (directory 0700, file 0600, written atomically via a temporary file). Changes happen under an exclusive lock on
 * {@code credentials.json.lock}, so two nexctl processes refreshing at once do not lose a rotated refresh token.
 */
public final class CredentialStore {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final Path file;
    private final ObjectMapper json = Json.mapper();

    /**
     * The JSON document in the file: the tokens per service, and the service of the last login ({@code current}),
     * which commands use when neither {@code --service-url} nor {@code NEXCTL_SERVICE_URL} names one.
     */
    record Document(
            @JsonProperty("services") Map<String, StoredToken> services,
            @JsonProperty("current") String current) {
        Document {
            services = services == null ? new TreeMap<>() : new TreeMap<>(services);
        }
    }

    public CredentialStore(Path configDir) {
        this.dir = configDir;
        this.file = configDir.resolve("credentials.json");
    }

    public Path file() {
        return file;
    }

    /** The key of a service URL: scheme://host[:port] in lower case, default ports and trailing slashes dropped. */
    public static String key(URI serviceUrl) {
        String scheme = serviceUrl.getScheme() == null
                ? "https"
                : serviceUrl.getScheme().toLowerCase(Locale.ROOT);
        String host = serviceUrl.getHost() == null
                ? String.valueOf(serviceUrl.getAuthority())
                : serviceUrl.getHost().toLowerCase(Locale.ROOT);
        int port = serviceUrl.getPort();
        boolean defaultPort =
                port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String path =
                serviceUrl.getRawPath() == null ? "" : serviceUrl.getRawPath().replaceAll("/+$", "");
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path;
    }

    /** The service of the last {@code nexctl login}, if it is still logged in. */
    public Optional<URI> current() {
        Document d = read();
        return Optional.ofNullable(d.current())
                .filter(c -> d.services().containsKey(c))
                .map(URI::create);
    }

    /** Saves the tokens of a login and makes {@code serviceUrl} the service later commands use by default. */
    public void login(URI serviceUrl, StoredToken token) {
        locked(() -> {
            Document d = read();
            d.services().put(key(serviceUrl), token);
            write(new Document(d.services(), key(serviceUrl)));
            return null;
        });
    }

    public Optional<StoredToken> get(URI serviceUrl) {
        return Optional.ofNullable(read().services().get(key(serviceUrl)));
    }

    /** Removes the entry; true if there was one. */
    public boolean remove(URI serviceUrl) {
        return locked(() -> {
            Document d = read();
            boolean had = d.services().remove(key(serviceUrl)) != null;
            if (had) {
                write(d);
            }
            return had;
        });
    }

    /**
     * Reads the entry, lets {@code change} decide the new one, and saves it (unless {@code change} returned the entry
     * it was given, or an equal one), all under the store's exclusive lock, which blocks while another nexctl holds it.
     */
    public StoredToken update(URI serviceUrl, Function<Optional<StoredToken>, StoredToken> change) {
        return locked(() -> {
            Document d = read();
            StoredToken before = d.services().get(key(serviceUrl));
            StoredToken after = change.apply(Optional.ofNullable(before));
            if (!Objects.equals(after, before)) {
                d.services().put(key(serviceUrl), after);
                write(d);
            }
            return after;
        });
    }

    private <T> T locked(Callable<T> body) {
        // A file lock is per process; threads of one JVM (tests running several nexctls) queue here first.
        ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        inJvm.lock();
        try {
            ensureDir();
            try (FileChannel ch = FileChannel.open(
                    dir.resolve("credentials.json.lock"),
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(FILE_MODE))) {
                FileLock lock = ch.lock();
                try {
                    return body.call();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            inJvm.unlock();
        }
    }

    Document read() {
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                return new Document(null, null);
            }
            return json.readValue(b, Document.class);
        } catch (NoSuchFileException e) {
            return new Document(null, null);
        } catch (IOException e) {
            // A damaged cache must not lock the user out: treat it as empty; the next login rewrites it.
            return new Document(null, null);
        }
    }

    private void write(Document d) throws IOException {
        ensureDir();
        Path tmp = Files.createTempFile(dir, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(d));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(file, FILE_MODE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void ensureDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        }
    }
}
