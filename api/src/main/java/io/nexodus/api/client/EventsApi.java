package io.nexodus.api.client;

import io.nexodus.api.model.Watch;
import java.util.List;
import java.util.UUID;

/**
 * The watch stream, one connection at a time. Most callers want {@link io.nexodus.api.watch.WatchStream} (reconnects
 * and resumes) or {@link io.nexodus.api.watch.SharedInformers} (keeps maps of the watched resources).
 */
public final class EventsApi {
    private final NexodusClient c;

    EventsApi(NexodusClient c) {
        this.c = c;
    }

    /** {@code POST /api/events}: every watch needs option {@code vpc-id}. */
    public WatchConnection open(List<Watch> watches) {
        return new WatchConnection(c.openStream("POST", "/api/events", watches));
    }

    /**
     * {@code POST /api/vpcs/{vpcId}/events[?public_key=]}: watches scoped to one VPC; {@code publicKey} (nullable)
     * names the connecting device so the service tracks it as online while the stream is open.
     */
    public WatchConnection open(UUID vpcId, String publicKey, List<Watch> watches) {
        String path = "/api/vpcs/" + vpcId + "/events"
                + (publicKey == null ? "" : "?public_key=" + NexodusClient.segment(publicKey));
        return new WatchConnection(c.openStream("POST", path, watches));
    }
}
