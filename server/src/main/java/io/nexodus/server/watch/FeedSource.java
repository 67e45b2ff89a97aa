package io.nexodus.server.watch;

import java.util.List;
import java.util.UUID;

/**
 * Where the feeds read their rows: the rows of one kind in one VPC whose revision is above {@code afterRevision},
 * soft-deleted rows and departures (rows that moved to another VPC) included, in revision order. The service reads
 * them from its database ({@link DatabaseFeedSource}); unit tests give the {@link FeedRegistry} an in-memory one.
 * Called by a subscriber's thread (first load) and by the registry's refresher threads, concurrently for different
 * feeds, never concurrently for the same feed.
 */
public interface FeedSource {
    List<FeedRow> load(String kind, UUID vpcId, long afterRevision);
}
