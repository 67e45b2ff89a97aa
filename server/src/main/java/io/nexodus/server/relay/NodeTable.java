package io.nexodus.server.relay;

import java.time.Instant;
import java.util.List;

/** Where the replicas record their relay nodes (the {@code derp_relay_nodes} table; a map in unit tests). */
interface NodeTable {
    /** Inserts or refreshes {@code self}'s row. */
    void heartbeat(RegisteredNode self);

    /** Every recorded node, stale ones included. */
    List<RegisteredNode> list();

    /** Deletes a node's row (a replica stopping gracefully leaves at once instead of after the stale cutoff). */
    void remove(String name);

    /** Deletes rows not refreshed since {@code cutoff} (replicas that are long gone, e.g. pods with a new key). */
    void forgetOlderThan(Instant cutoff);
}
