package io.nexodus.nexd.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * nexd's block in {@code /etc/hosts}: the private host names of onboarded DERP relays with {@code certmodemanual},
 * pinned to the relay devices' reflexive IPs (the DERP seed). Only the lines between the marker lines are ours;
 * everything else is kept byte for byte. The file is rewritten through a temporary file and a rename; when the file is
 * a bind mount (a rename onto it fails with EBUSY, as in containers and the NAT lab), it is rewritten in place.
 */
public final class HostsFile {
    static final String BEGIN = "# BEGIN nexd managed block (DERP relays) - do not edit";
    static final String END = "# END nexd managed block";

    private final Path file;
    private final Map<String, InetAddress> entries = new TreeMap<>();

    public HostsFile(Path file) {
        this.file = file;
    }

    /** Maps {@code hostname} to {@code ip} (replacing an earlier mapping of the name) and rewrites the block. */
    public synchronized void pin(String hostname, InetAddress ip) throws IOException {
        if (ip.equals(entries.get(hostname))) {
            return;
        }
        entries.put(hostname, ip);
        write();
    }

    /** Removes {@code hostname} from the block (the relay left the VPC). */
    public synchronized void unpin(String hostname) throws IOException {
        if (entries.remove(hostname) != null) {
            write();
        }
    }

    /** Removes the block (on stop). */
    public synchronized void clear() throws IOException {
        entries.clear();
        write();
    }

    private void write() throws IOException {
        String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (entries.isEmpty() && !old.contains(BEGIN)) {
            return; // nothing of ours there: leave the file alone
        }
        List<String> kept = new ArrayList<>();
        boolean inBlock = false;
        for (String line : old.split("\n", -1)) {
            if (line.equals(BEGIN)) {
                inBlock = true;
            } else if (line.equals(END) && inBlock) {
                inBlock = false;
            } else if (!inBlock) {
                kept.add(line);
            }
        }
        while (!kept.isEmpty() && kept.getLast().isEmpty()) {
            kept.removeLast();
        }
        StringBuilder out = new StringBuilder();
        kept.forEach(l -> out.append(l).append('\n'));
        if (!entries.isEmpty()) {
            out.append(BEGIN).append('\n');
            entries.forEach((h, ip) ->
                    out.append(ip.getHostAddress()).append(' ').append(h).append('\n'));
            out.append(END).append('\n');
        }
        String text = out.toString();
        if (text.equals(old)) {
            return;
        }
        if (isMountPoint(file)) {
            Files.writeString(file, text, StandardCharsets.UTF_8); // a bind-mounted file cannot be renamed onto
            return;
        }
        Path tmp = file.resolveSibling(
                "." + file.getFileName() + ".nexd-" + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileSystemException e) {
            Files.deleteIfExists(tmp);
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
    }

    /** Whether {@code f} is a mount point of this process ({@code ip netns exec} bind-mounts /etc/netns/NS/hosts). */
    static boolean isMountPoint(Path f) {
        try {
            String target = f.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ", -1);
                if (fields.length > 4 && fields[4].equals(target)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: assume an ordinary file
        }
        return false;
    }
}
