package io.nexodus.api.watch;

import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;

/** One watch multiplexed on a {@link WatchStream}: it says where to resume and receives the events of its kind. */
public interface WatchSubscriber {
    /** The watch to send on (re)connect: kind, options, and the resume point (gt_revision, at_tail). */
    Watch currentWatch();

    /** A change, delete or tail event of this subscriber's kind, on the stream's thread. */
    void onEvent(WatchEvent event);
}
