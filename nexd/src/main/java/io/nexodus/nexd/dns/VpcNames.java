package io.nexodus.nexd.dns;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.TunnelIp;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The names of a VPC's devices: {@code <hostname>.nexodus}, where the label is the device's host name (its first
 * label when it is a dotted name) lower-cased, with every character other than {@code a-z 0-9 -} replaced by {@code -}
 * and cut to 63 characters. A device belongs to one VPC, so the names need no VPC part. When several devices of the
 * VPC have the same label, none of them gets the bare name (an answer that may change with every registration would
 * send traffic to the wrong host); each is {@code <label>-<first 8 hex digits of its device id>.nexodus} instead.
 * Immutable.
 */
public final class VpcNames {
    /** The zone nexd answers for. */
    public static final String ZONE = "nexodus";

    private final Map<String, Entry> byName;

    /** A name's addresses (tunnel IPv4 and IPv6). */
    public record Entry(String name, List<InetAddress> v4, List<InetAddress> v6) {
        public Entry {
            v4 = List.copyOf(v4);
            v6 = List.copyOf(v6);
        }
    }

    private VpcNames(Map<String, Entry> byName) {
        this.byName = byName;
    }

    public static final VpcNames EMPTY = new VpcNames(Map.of());

    /** The names of {@code devices} (deleted devices and devices without a tunnel address get none). */
    public static VpcNames of(Collection<Device> devices) {
        Map<String, List<Device>> byLabel = new HashMap<>();
        for (Device d : devices) {
            if (d.id() == null || (d.ipv4TunnelIps() == null && d.ipv6TunnelIps() == null)) {
                continue;
            }
            byLabel.computeIfAbsent(label(d.hostname()), k -> new ArrayList<>()).add(d);
        }
        Map<String, Entry> names = new TreeMap<>();
        byLabel.forEach((label, ds) -> {
            for (Device d : ds) {
                String host = ds.size() == 1 ? label : unique(label, d);
                String fqdn = host + "." + ZONE;
                names.put(fqdn, new Entry(fqdn, addresses(d.ipv4TunnelIps()), addresses(d.ipv6TunnelIps())));
            }
        });
        return new VpcNames(Collections.unmodifiableMap(names));
    }

    private static String unique(String label, Device d) {
        String suffix = "-" + d.id().toString().substring(0, 8);
        return (label.length() + suffix.length() > 63 ? label.substring(0, 63 - suffix.length()) : label) + suffix;
    }

    /** The DNS label for a host name. */
    public static String label(String hostname) {
        String h = hostname == null ? "" : hostname.strip().toLowerCase(Locale.ROOT);
        int dot = h.indexOf('.');
        if (dot >= 0) {
            h = h.substring(0, dot);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.length() && sb.length() < 63; i++) {
            char c = h.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
        }
        String s = sb.toString().replaceAll("^-+", "").replaceAll("-+$", "");
        return s.isEmpty() ? "device" : s;
    }

    private static List<InetAddress> addresses(List<TunnelIp> ips) {
        List<InetAddress> out = new ArrayList<>();
        if (ips != null) {
            for (TunnelIp ip : ips) {
                String a = ip.address();
                if (a == null) {
                    continue;
                }
                int slash = a.indexOf('/');
                try {
                    // a literal only: never a lookup
                    out.add(InetAddress.ofLiteral(slash < 0 ? a : a.substring(0, slash)));
                } catch (IllegalArgumentException e) {
                    // not an address: the service validates these, so this is a name nexd does not publish
                }
            }
        }
        return out;
    }

    /** The entry for a fully qualified name (case-insensitive, with or without the final dot). */
    public Optional<Entry> lookup(String fqdn) {
        String n = fqdn.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        return Optional.ofNullable(byName.get(n));
    }

    /** Every name, sorted. */
    public Collection<Entry> entries() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }
}
