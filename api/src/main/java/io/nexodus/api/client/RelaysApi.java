package io.nexodus.api.client;

import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayRegion;

/**
 * {@code /api/relays}: the public DERP relays (the service's built-in one, region 900, and those an administrator
 * added). Any authenticated caller (user, {@code RK:}, {@code DT:}) may read; only administrators add or delete.
 */
public final class RelaysApi {
    private final NexodusClient c;

    RelaysApi(NexodusClient c) {
        this.c = c;
    }

    /** The public relays as a DERP-map-like object (regions keyed by id). */
    public RelayMap list() {
        return c.call("GET", "/api/relays", null, RelayMap.class);
    }

    /** Adds a public relay (administrators only); returns it with its region id. */
    public RelayRegion create(AddRelay body) {
        return c.call("POST", "/api/relays", body, RelayRegion.class);
    }

    /** Removes an added public relay (administrators only); the built-in region 900 cannot be removed. */
    public RelayRegion delete(int regionId) {
        return c.call("DELETE", "/api/relays/" + regionId, null, RelayRegion.class);
    }
}
