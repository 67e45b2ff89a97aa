package io.nexodus.server.connectivity;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.api.nexdctl.PeeringMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Puts a VPC's connectivity answer together from its live devices and their stored reports: no I/O, the time passed
 * in. Peers that are not (any more) devices of the VPC are left out; reports of devices that left it too.
 */
final class ConnectivityView {
    private ConnectivityView() {}

    /** The path category of a reported method (and relay): unknown future methods count as direct. */
    static String path(String method, String relay) {
        if (method == null || method.isEmpty()) {
            return VpcConnectivity.PATH_NONE;
        }
        if (PeeringMethod.VIA_DERP_RELAY.equals(method) || (relay != null && relay.endsWith("derp"))) {
            return VpcConnectivity.PATH_DERP;
        }
        if (PeeringMethod.isRelayed(method)) {
            return VpcConnectivity.PATH_RELAYED;
        }
        return VpcConnectivity.PATH_DIRECT;
    }

    /** Worse paths rank higher: a pair is as good as its worse direction. */
    private static int rank(String path) {
        return switch (path) {
            case VpcConnectivity.PATH_DIRECT -> 0;
            case VpcConnectivity.PATH_RELAYED -> 1;
            case VpcConnectivity.PATH_DERP -> 2;
            default -> 3;
        };
    }

    static VpcConnectivity build(
            UUID vpcId,
            List<Device> devices,
            List<ConnectivityStore.Stored> reports,
            Instant now,
            Duration staleAfter) {
        List<Device> sorted = new ArrayList<>(devices);
        sorted.sort(Comparator.comparing((Device d) -> d.hostname() == null ? "" : d.hostname())
                .thenComparing(Device::id));
        Map<UUID, Device> byId = new HashMap<>();
        sorted.forEach(d -> byId.put(d.id(), d));
        Map<UUID, ConnectivityStore.Stored> byReporter = new HashMap<>();
        for (ConnectivityStore.Stored r : reports) {
            if (byId.containsKey(r.deviceId())) {
                byReporter.put(r.deviceId(), r);
            }
        }
        List<VpcConnectivity.ConnectivityDevice> nodes = new ArrayList<>();
        Map<UUID, Boolean> staleReporter = new HashMap<>();
        Map<String, Long> natTypes = new TreeMap<>();
        for (Device d : sorted) {
            ConnectivityStore.Stored r = byReporter.get(d.id());
            boolean stale =
                    r == null || !d.online() || r.reportedAt().plus(staleAfter).isBefore(now);
            staleReporter.put(d.id(), stale);
            if (!stale) {
                natTypes.merge(r.natType(), 1L, Long::sum);
            }
            nodes.add(new VpcConnectivity.ConnectivityDevice(
                    d.id(),
                    d.hostname(),
                    d.online(),
                    r == null ? null : r.natType(),
                    r == null ? null : r.reportedAt(),
                    stale));
        }
        List<VpcConnectivity.ConnectivityPair> pairs = new ArrayList<>();
        Map<UUID, Map<UUID, VpcConnectivity.ConnectivityPair>> matrix = new HashMap<>();
        for (Device from : sorted) {
            ConnectivityStore.Stored r = byReporter.get(from.id());
            if (r == null) {
                continue;
            }
            long since = Math.max(0, Duration.between(r.reportedAt(), now).toSeconds());
            for (PeerConnectivity p : r.peers()) {
                if (!byId.containsKey(p.deviceId()) || p.deviceId().equals(from.id())) {
                    continue;
                }
                VpcConnectivity.ConnectivityPair pair = new VpcConnectivity.ConnectivityPair(
                        from.id(),
                        p.deviceId(),
                        p.method(),
                        p.relay(),
                        path(p.method(), p.relay()),
                        p.healthy(),
                        p.handshakeAgeSeconds() == null ? null : p.handshakeAgeSeconds() + since,
                        p.rxBytes(),
                        p.txBytes(),
                        r.reportedAt(),
                        staleReporter.get(from.id()));
                pairs.add(pair);
                matrix.computeIfAbsent(from.id(), k -> new HashMap<>()).put(p.deviceId(), pair);
            }
        }
        // census over unordered pairs
        long total = 0, direct = 0, relayed = 0, derp = 0, none = 0, stale = 0, unreported = 0;
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                total++;
                VpcConnectivity.ConnectivityPair ab =
                        get(matrix, sorted.get(i).id(), sorted.get(j).id());
                VpcConnectivity.ConnectivityPair ba =
                        get(matrix, sorted.get(j).id(), sorted.get(i).id());
                String worst = null;
                for (VpcConnectivity.ConnectivityPair p : new VpcConnectivity.ConnectivityPair[] {ab, ba}) {
                    if (p != null && !p.stale() && (worst == null || rank(p.path()) > rank(worst))) {
                        worst = p.path();
                    }
                }
                if (worst == null) {
                    if (ab != null || ba != null) {
                        stale++;
                    } else {
                        unreported++;
                    }
                    continue;
                }
                switch (worst) {
                    case VpcConnectivity.PATH_DIRECT -> direct++;
                    case VpcConnectivity.PATH_RELAYED -> relayed++;
                    case VpcConnectivity.PATH_DERP -> derp++;
                    default -> none++;
                }
            }
        }
        return new VpcConnectivity(
                vpcId,
                now,
                staleAfter.toSeconds(),
                nodes,
                pairs,
                new VpcConnectivity.ConnectivityCensus(
                        total, direct, relayed, derp, none, stale, unreported, natTypes));
    }

    private static VpcConnectivity.ConnectivityPair get(
            Map<UUID, Map<UUID, VpcConnectivity.ConnectivityPair>> matrix, UUID from, UUID to) {
        Map<UUID, VpcConnectivity.ConnectivityPair> row = matrix.get(from);
        return row == null ? null : row.get(to);
    }
}
