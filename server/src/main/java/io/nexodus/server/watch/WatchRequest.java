package io.nexodus.server.watch;

import io.nexodus.api.model.Watch;
import io.nexodus.server.http.ApiError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** One validated watch of a stream request: kind, VPC, resume point and the metadata filters. */
record WatchRequest(
        String kind, UUID vpcId, long gtRevision, boolean atTail, UUID deviceId, String key, List<String> prefixes) {
    static final Set<String> KINDS =
            Set.of(Watch.KIND_DEVICE, Watch.KIND_SECURITY_GROUP, Watch.KIND_DEVICE_METADATA, Watch.KIND_VPC);

    /** At most this many watches per stream. */
    static final int MAX_WATCHES = 8;

    /**
     * Validates the body of a watch request: 1 to {@link #MAX_WATCHES} watches, each valid ({@link #of}), no kind
     * twice (events could not be told apart).
     */
    static List<WatchRequest> all(List<Watch> watches, UUID pathVpc) {
        if (watches.isEmpty()) {
            throw ApiError.invalid("[0]", "at least one watch is required");
        }
        if (watches.size() > MAX_WATCHES) {
            throw ApiError.invalid("[" + MAX_WATCHES + "]", "at most " + MAX_WATCHES + " watches per stream");
        }
        List<WatchRequest> out = new ArrayList<>();
        Set<String> kinds = new HashSet<>();
        for (int i = 0; i < watches.size(); i++) {
            WatchRequest r = of(i, watches.get(i), pathVpc);
            if (!kinds.add(r.kind())) {
                throw ApiError.invalid("[" + i + "].kind", "duplicate kind: events could not be told apart");
            }
            out.add(r);
        }
        return out;
    }

    /** Validates {@code w} (index {@code i} in the request); {@code pathVpc} is the VPC of /api/vpcs/{id}/events or null. */
    static WatchRequest of(int i, Watch w, UUID pathVpc) {
        String at = "[" + i + "]";
        if (w == null || w.kind() == null || !KINDS.contains(w.kind())) {
            throw ApiError.invalid(at + ".kind", "one of device, security-group, device-metadata, vpc");
        }
        if (w.gtRevision() < 0) {
            throw ApiError.invalid(at + ".gt_revision", "must be >= 0");
        }
        Map<String, Object> o = w.options() == null ? Map.of() : w.options();
        UUID vpc = pathVpc;
        Object v = o.get(Watch.OPTION_VPC_ID);
        if (v != null) {
            UUID given = uuid(v, at + ".options.vpc-id");
            if (pathVpc != null && !pathVpc.equals(given)) {
                throw ApiError.invalid(at + ".options.vpc-id", "differs from the VPC in the path");
            }
            vpc = given;
        }
        if (vpc == null) {
            throw ApiError.invalid(at + ".options.vpc-id", "required");
        }
        UUID device = null;
        String key = null;
        List<String> prefixes = List.of();
        if (Watch.KIND_DEVICE_METADATA.equals(w.kind())) {
            if (o.get(Watch.OPTION_DEVICE_ID) != null) {
                device = uuid(o.get(Watch.OPTION_DEVICE_ID), at + ".options.device-id");
            }
            if (o.get(Watch.OPTION_KEY) != null) {
                key = String.valueOf(o.get(Watch.OPTION_KEY));
            }
            List<String> p = new ArrayList<>();
            for (String name : List.of(Watch.OPTION_PREFIX, Watch.OPTION_PREFIXES)) {
                Object pv = o.get(name);
                if (pv instanceof List<?> l) {
                    l.forEach(x -> p.add(String.valueOf(x)));
                } else if (pv != null) {
                    p.add(String.valueOf(pv));
                }
            }
            prefixes = List.copyOf(p);
        }
        return new WatchRequest(w.kind(), vpc, w.gtRevision(), w.atTail(), device, key, prefixes);
    }

    private static UUID uuid(Object v, String field) {
        try {
            return UUID.fromString(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(field, "not a UUID");
        }
    }

    /** Metadata filters: device, exact key, any of the prefixes. */
    boolean accepts(Feed.Entry e) {
        if (deviceId != null && !deviceId.equals(e.deviceId())) {
            return false;
        }
        if (key != null && !key.equals(e.metaKey())) {
            return false;
        }
        if (!prefixes.isEmpty() && e.metaKey() != null) {
            for (String p : prefixes) {
                if (e.metaKey().startsWith(p)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }
}
