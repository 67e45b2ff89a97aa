package io.nexodus.e2e.lab;

import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's own files under {@code /etc}: {@code ip netns exec} bind-mounts every file of {@code /etc/netns/<ns>/}
 * over the same name in {@code /etc} for the processes it starts. The lab gives each node
 * <ul>
 *   <li>{@code hosts}: localhost, the node's own name, and whatever a scenario adds, so names resolve without DNS;</li>
 *   <li>{@code resolv.conf}: no reachable name server (127.0.0.1, one try of one second), so a name that is not in
 *       the hosts file fails at once instead of sending DNS queries into the lab and waiting for timeouts.</li>
 * </ul>
 * The hosts file is always rewritten in place (never replaced by rename): a running process sees the bind-mounted
 * inode, and renaming onto a mount point fails with EBUSY. Programs inside the lab that edit {@code /etc/hosts} (the
 * agent's managed block for {@code certmodemanual} relays) must do the same.
 */
final class EtcOverlay {
    static final Path NETNS_ETC = Path.of("/etc/netns");
    private static final Pattern OWNED = Pattern.compile("^nx(\\d+)-\\S+");

    private final Path dir;
    private final Path file;
    private final Path resolvConf;
    private final String initial;

    EtcOverlay(String namespace, String ownName, String ownAddress) {
        this.dir = NETNS_ETC.resolve(namespace);
        this.file = dir.resolve("hosts");
        this.resolvConf = dir.resolve("resolv.conf");
        this.initial =
                "# NAT lab node " + ownName + " (namespace " + namespace + "); rewritten in place, never renamed\n"
                        + "127.0.0.1\tlocalhost\n"
                        + ownAddress + "\t" + ownName + "\n";
    }

    Path path() {
        return file;
    }

    synchronized void create() {
        try {
            Files.createDirectories(dir);
            Files.writeString(resolvConf, """
                    # NAT lab: no DNS inside the lab; names come from /etc/hosts
                    nameserver 127.0.0.1
                    options timeout:1 attempts:1
                    """, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        write(initial);
    }

    synchronized void reset() {
        write(initial);
    }

    synchronized String read() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    synchronized void add(String address, String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("a hosts entry needs at least one name");
        }
        Ipv4.parse(address);
        for (String n : names) {
            if (!n.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) {
                throw new IllegalArgumentException("not a host name: " + n);
            }
        }
        write(read() + address + "\t" + String.join(" ", names) + "\n");
    }

    /** Removes every line that maps {@code name} (the whole line: all its aliases go with it). */
    synchronized void remove(String name) {
        StringBuilder kept = new StringBuilder();
        for (String line : read().lines().toList()) {
            String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            List<String> fields = Arrays.asList(content.trim().split("\\s+"));
            boolean maps = fields.size() > 1 && fields.subList(1, fields.size()).contains(name);
            if (!maps) {
                kept.append(line).append('\n');
            }
        }
        write(kept.toString());
    }

    private void write(String content) {
        try {
            // In place: TRUNCATE_EXISTING keeps the inode that running processes have bind-mounted.
            Files.writeString(
                    file,
                    content,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    synchronized void delete() {
        deleteTree(dir);
    }

    /** Removes {@code /etc/netns/nx<pid>-…} directories whose JVM is gone (a run that was killed). */
    static void cleanupStale() {
        if (!Files.isDirectory(NETNS_ETC)) {
            return;
        }
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(NETNS_ETC)) {
            for (Path p : ds) {
                Matcher m = OWNED.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    stale.add(p);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return; // best effort: a stale directory only wastes a few bytes
        }
        stale.forEach(EtcOverlay::deleteTree);
    }

    private static void deleteTree(Path root) {
        WorkDirs.deleteQuietly(root); // best effort; the next run's cleanupStale() tries again
    }
}
