package io.nexodus.e2e.scenario;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One peer line of {@code wg show <iface> dump}: what the data plane really has, independent of what nexd reports.
 *
 * @param publicKey     base64
 * @param endpoint      {@code ip:port}, or "" for {@code (none)}
 * @param allowedIps    CIDRs
 * @param lastHandshake null if none
 * @param rxBytes       received
 * @param txBytes       sent
 */
public record WgPeer(
        String publicKey, String endpoint, List<String> allowedIps, Instant lastHandshake, long rxBytes, long txBytes) {

    /** Parses a dump; the first line (the interface) is skipped. */
    public static Map<String, WgPeer> parseDump(String dump) {
        Map<String, WgPeer> out = new LinkedHashMap<>();
        List<String> lines = dump.lines().filter(l -> !l.isBlank()).toList();
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = l.split("\t", -1);
            if (f.length < 8) {
                continue;
            }
            List<String> allowed = f[3].equals("(none)") ? List.of() : new ArrayList<>(Arrays.asList(f[3].split(",")));
            long hs = Long.parseLong(f[4]);
            out.put(
                    f[0],
                    new WgPeer(
                            f[0],
                            f[2].equals("(none)") ? "" : f[2],
                            allowed,
                            hs == 0 ? null : Instant.ofEpochSecond(hs),
                            Long.parseLong(f[5]),
                            Long.parseLong(f[6])));
        }
        return out;
    }
}
