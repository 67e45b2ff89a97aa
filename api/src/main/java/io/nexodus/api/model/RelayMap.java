package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/relays}: the public DERP relays, shaped like Tailscale's DERP map ({@code tailcfg.DERPMap}) with
 * snake_case names. {@code regions} is keyed by the region id as a string. Region 900 is the relay built into the
 * service (upstream's "NexodusDefault"); administrators add more (902–999). Region 901 never appears here: it is what
 * upstream agents call an onboarded relay (device metadata {@code relay}), which is per VPC, not public.
 */
public record RelayMap(@JsonProperty("regions") Map<String, RelayRegion> regions) {
    public RelayMap {
        regions = regions == null ? Map.of() : Map.copyOf(regions);
    }

    /** The regions ordered by id (built-in 900 first). */
    public List<RelayRegion> sorted() {
        return regions.values().stream()
                .sorted(Comparator.comparingInt(RelayRegion::regionId))
                .toList();
    }
}
