package io.nexodus.nexd.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name as a device's default hostname: the kernel's, of our UTS namespace (no DNS lookup on Linux). */
public final class LocalHostname {
    private LocalHostname() {}

    /** The host name, or {@code fallback} when none can be read. */
    public static String read(String fallback) {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException e) {
            // not Linux, or no procfs
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return fallback;
        }
    }
}
