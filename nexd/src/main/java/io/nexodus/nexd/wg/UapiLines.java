package io.nexodus.nexd.wg;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.nexd.endpoint.Addresses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** UAPI text for peer changes and parsing of {@code get} replies. */
final class UapiLines {
    private UapiLines() {}

    static List<String> forChanges(List<PeerChange> changes) {
        List<String> lines = new ArrayList<>();
        for (PeerChange c : changes) {
            String hex = NodePublicKey.fromBase64(c.publicKey()).toHex();
            switch (c) {
                case PeerChange.Remove r -> {
                    lines.add("public_key=" + hex);
                    lines.add("remove=true");
                }
                case PeerChange.Upsert u -> {
                    if (u.recreate()) {
                        lines.add("public_key=" + hex);
                        lines.add("remove=true");
                    }
                    PeerEntry e = u.entry();
                    if (u.nudge() && !u.recreate() && e.persistentKeepaliveSeconds() > 0) {
                        lines.add("public_key=" + hex);
                        lines.add("update_only=true");
                        lines.add("persistent_keepalive_interval=0");
                    }
                    lines.add("public_key=" + hex);
                    if ((u.setEndpoint() || u.recreate()) && e.endpoint().isPresent()) {
                        lines.add("endpoint=" + Addresses.format(e.endpoint().get()));
                    }
                    lines.add("persistent_keepalive_interval=" + e.persistentKeepaliveSeconds());
                    lines.add("replace_allowed_ips=true");
                    for (String a : e.allowedIps()) {
                        lines.add("allowed_ip=" + a);
                    }
                }
            }
        }
        return lines;
    }

    /** Parses a {@code get=1} reply into peer counters, keyed by base64 public key. */
    static Map<String, PeerCounters> parsePeers(List<String> lines) {
        Map<String, PeerCounters> out = new LinkedHashMap<>();
        String key = null;
        String endpoint = "";
        long sec = 0;
        long nsec = 0;
        long rx = 0;
        long tx = 0;
        List<String> allowed = new ArrayList<>();
        for (String l : lines) {
            int eq = l.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = l.substring(0, eq);
            String v = l.substring(eq + 1);
            try {
                switch (k) {
                    case "public_key" -> {
                        if (key != null) {
                            out.put(key, counters(key, endpoint, sec, nsec, rx, tx, allowed));
                        }
                        key = NodePublicKey.fromHex(v).toBase64();
                        endpoint = "";
                        sec = 0;
                        nsec = 0;
                        rx = 0;
                        tx = 0;
                        allowed = new ArrayList<>();
                    }
                    case "endpoint" -> endpoint = v;
                    case "last_handshake_time_sec" -> sec = Long.parseLong(v);
                    case "last_handshake_time_nsec" -> nsec = Long.parseLong(v);
                    case "rx_bytes" -> rx = Long.parseLong(v);
                    case "tx_bytes" -> tx = Long.parseLong(v);
                    case "allowed_ip" -> allowed.add(v);
                    default -> {}
                }
            } catch (IllegalArgumentException e) {
                // a line we cannot read is skipped; the rest of the peer is still useful
            }
        }
        if (key != null) {
            out.put(key, counters(key, endpoint, sec, nsec, rx, tx, allowed));
        }
        return out;
    }

    private static PeerCounters counters(
            String key, String endpoint, long sec, long nsec, long rx, long tx, List<String> allowed) {
        Instant hs = sec == 0 && nsec == 0 ? null : Instant.ofEpochSecond(sec, nsec);
        return new PeerCounters(key, endpoint, hs, rx, tx, allowed);
    }
}
