package io.nexodus.server.watch;

import io.nexodus.api.model.Notice;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The console's notice bus: after a commit that changed organizations, members, invitations, VPCs, registration keys,
 * users or relays, every open notice stream of a user the change concerns learns the kind (not the data). A notice
 * topic names a scope: an organization (its members are told), a user (an invitation to them, their memberships) or
 * {@link Topics#EVERYONE}. It arrives like the watch topics, from local commits and other replicas' NOTIFY.
 * <p>
 * Each subscription keeps at most one pending entry per kind, so a burst of writes costs a stream one line per kind.
 * A subscription's organizations come from {@code memberships} when it opens and again after an
 * {@link Notice#ORGANIZATIONS} notice reached it (the user may have joined or left one).
 */
public final class Notices {
    private final Function<UUID, Set<UUID>> memberships;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    /** @param memberships a user's organizations (read from the database in the service) */
    public Notices(Function<UUID, Set<UUID>> memberships) {
        this.memberships = memberships;
    }

    /** One open stream of one user. */
    final class Subscription implements AutoCloseable {
        private final UUID user;
        private final Waker waker = new Waker();
        private final Set<String> pending = new LinkedHashSet<>();
        private volatile Set<UUID> organizations;

        Subscription(UUID user) {
            this.user = user;
            this.organizations = Set.copyOf(memberships.apply(user));
        }

        boolean concerns(UUID scope) {
            return scope.equals(Topics.EVERYONE) || scope.equals(user) || organizations.contains(scope);
        }

        void offer(String kind) {
            synchronized (pending) {
                pending.add(kind);
            }
            waker.wake();
        }

        /**
         * Waits up to {@code millis} for notices; returns them (empty on timeout or when the bus closes), each kind
         * once, and re-reads the user's organizations if they may have changed.
         */
        List<String> await(long millis) throws InterruptedException {
            boolean idle;
            synchronized (pending) {
                idle = pending.isEmpty();
            }
            if (idle && !closing) {
                waker.await(millis); // an offer after the check above leaves a permit, so nothing is missed
            }
            List<String> out;
            synchronized (pending) {
                out = List.copyOf(pending);
                pending.clear();
            }
            if (out.contains(Notice.ORGANIZATIONS) || out.contains(Notice.ALL)) {
                organizations = Set.copyOf(memberships.apply(user));
            }
            return out;
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    /** Opens a subscription for {@code user}; close it when the stream ends. */
    Subscription subscribe(UUID user) {
        Subscription s = new Subscription(user);
        subscriptions.add(s);
        return s;
    }

    public void signals(Set<String> topics) {
        topics.forEach(this::signal);
    }

    /** Entry point from the signal bus; topics other than notices (and malformed ones) are ignored. */
    public void signal(String topic) {
        if (Topics.ALL.equals(topic)) {
            subscriptions.forEach(s -> s.offer(Notice.ALL));
            return;
        }
        if (!topic.startsWith(Topics.NOTICE_PREFIX)) {
            return;
        }
        int colon = topic.lastIndexOf(':');
        if (colon < 0) {
            return;
        }
        String kind = topic.substring(Topics.NOTICE_PREFIX.length(), colon);
        UUID scope;
        try {
            scope = UUID.fromString(topic.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return;
        }
        for (Subscription s : subscriptions) {
            if (s.concerns(scope)) {
                s.offer(kind);
            }
        }
    }

    int open() {
        return subscriptions.size();
    }

    boolean isClosing() {
        return closing;
    }

    /** Ends every stream: each wakes and sees {@link #isClosing()}. */
    public void close() {
        closing = true;
        subscriptions.forEach(s -> s.waker.wake());
    }
}
