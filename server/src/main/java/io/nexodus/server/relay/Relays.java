package io.nexodus.server.relay;

import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The public DERP relays agents may use: the relay built into the service (region 900, derived from the running relay
 * and the service URL) and the relays administrators added (regions 902-999, one node each). A built-in region
 * cannot be added again or removed.
 */
public final class Relays {
    static final int FIRST_ADDED = 902;
    static final int LAST_ADDED = 999;

    private final Database db;
    private final RelayStore store;
    private final Supplier<List<RelayRegion>> builtIn;

    /** @param builtIn the relays the service itself runs (empty when its relay is off) */
    public Relays(Database db, RelayStore store, Supplier<List<RelayRegion>> builtIn) {
        this.db = db;
        this.store = store;
        this.builtIn = builtIn;
    }

    /** The DERP map: built-in regions first, then the added ones by region id. */
    public RelayMap map() {
        Map<String, RelayRegion> regions = new LinkedHashMap<>();
        for (RelayRegion r : builtIn.get()) {
            regions.put(Integer.toString(r.regionId()), r);
        }
        for (RelayRegion r : db.read(store::list)) {
            regions.putIfAbsent(Integer.toString(r.regionId()), r);
        }
        return new RelayMap(regions);
    }

    /** Adds a relay (administrators): 409 with the region id if its code or id is taken. */
    public RelayRegion add(AddRelay request) {
        AddRelay in = RelayRequests.validate(request);
        for (RelayRegion r : builtIn.get()) {
            if (r.regionCode().equals(in.regionCode())) {
                throw ApiError.conflict(r.regionId());
            }
        }
        return db.write(tx -> {
            tx.lockRevisions(); // serialises concurrent adds (id allocation), like every other allocation here
            Optional<Integer> sameCode = store.regionIdByCode(tx, in.regionCode());
            if (sameCode.isPresent()) {
                throw ApiError.conflict(sameCode.get());
            }
            int id;
            if (in.regionId() != null) {
                if (store.find(tx, in.regionId()).isPresent()) {
                    throw ApiError.conflict(in.regionId());
                }
                id = in.regionId();
            } else {
                id = freeId(tx);
            }
            RelayNode node = new RelayNode(
                    id + "nex",
                    id,
                    in.hostName(),
                    in.ipv4(),
                    in.ipv6(),
                    in.derpPort(),
                    in.stunPort(),
                    url(in.hostName(), in.derpPort()),
                    in.caPem() != null,
                    in.caPem());
            store.insert(tx, new RelayRegion(id, in.regionCode(), in.regionName(), false, List.of(node)));
            return store.find(tx, id).orElseThrow();
        });
    }

    /** Removes an added relay (administrators); the built-in one is turned off with a start option instead. */
    public RelayRegion remove(int regionId) {
        for (RelayRegion r : builtIn.get()) {
            if (r.regionId() == regionId) {
                throw ApiError.notAllowed(
                        "the service's own relay cannot be removed; start the service with --derp-listen none to turn it off");
            }
        }
        return db.write(tx -> {
            RelayRegion r = store.find(tx, regionId).orElseThrow(() -> ApiError.notFound("relay"));
            store.delete(tx, regionId);
            return r;
        });
    }

    static String url(String host, int port) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "https://" + h + ":" + port + "/derp";
    }

    private int freeId(Tx tx) throws SQLException {
        int id = FIRST_ADDED;
        for (int t : store.regionIds(tx)) {
            if (t == id) {
                id++;
            } else if (t > id) {
                break;
            }
        }
        if (id > LAST_ADDED) {
            throw ApiError.badRequest("no free region id: " + (LAST_ADDED - FIRST_ADDED + 1) + " relays exist already");
        }
        return id;
    }
}
