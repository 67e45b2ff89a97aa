package io.nexodus.server.watch;

/**
 * Where one watch of a stream stands in its feed: the last revision it has passed, whether its {@code tail} was sent,
 * and whether it is still a fresh list (deletes are skipped: the client never had those rows). Resuming is starting
 * from the client's {@code gt_revision}: rows above it in revision order (each row's latest version once), then the
 * tail unless {@code at_tail}. A revision above the feed's means the client saw a history this service lacks (it lost
 * writes, or was restored from a backup): a {@code reset} tells it to forget what it has, then the whole list and the
 * tail follow. Used only by its stream's thread.
 */
final class WatchCursor {
    private final WatchRequest request;
    private final byte[] tailLine;
    private final byte[] resetLine;
    private boolean revisionChecked;
    private Feed feed;
    private long lastRevision;
    private boolean atTail;
    private boolean freshList;

    /**
     * @param tailLine  the serialized {@code tail} event of the request's kind
     * @param resetLine the serialized {@code reset} event of the request's kind
     */
    WatchCursor(WatchRequest request, byte[] tailLine, byte[] resetLine) {
        this.request = request;
        this.tailLine = tailLine;
        this.resetLine = resetLine;
        this.lastRevision = request.gtRevision();
        this.atTail = request.atTail();
        this.freshList = request.gtRevision() == 0 && !request.atTail();
    }

    WatchRequest request() {
        return request;
    }

    /** The subscribed feed, or null before {@link #attach}. */
    Feed feed() {
        return feed;
    }

    void attach(Feed f) {
        this.feed = f;
    }

    long lastRevision() {
        return lastRevision;
    }

    /**
     * Adds the lines this watch has not seen (up to what the feed has published, while {@code batch} has room) and the
     * tail once it has caught up. Returns true if more is waiting (the batch filled up, or the feed moved on meanwhile).
     */
    boolean collect(LineBatch batch) {
        if (!revisionChecked && feed.isLoaded() && !batch.isFull()) {
            revisionChecked = true;
            if (lastRevision > feed.published()) {
                batch.add(resetLine);
                lastRevision = 0;
                atTail = false;
                freshList = true;
            }
        }
        long upTo = feed.published();
        for (Feed.Entry e : feed.since(lastRevision, upTo)) {
            if (batch.isFull()) {
                break;
            }
            if (!(e.deleted() && freshList) && request.accepts(e)) {
                batch.add(e.line());
            }
            lastRevision = e.revision();
        }
        if (!atTail && lastRevision >= upTo && !batch.isFull()) {
            batch.add(tailLine);
            atTail = true;
            freshList = false;
        }
        return feed.published() > lastRevision || !atTail;
    }
}
