package io.nexodus.server.watch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.ServerConnectionException;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.Route;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/events} and {@code POST /api/vpcs/{id}/events}: the watch stream. The body is a list of
 * {@link Watch}; the response ({@code application/json;stream=watch}) is newline-delimited events: the rows above
 * {@code gt_revision} (deletes included, except on a fresh list), one {@code tail} unless {@code at_tail}, then each
 * change as it commits. A blank line every {@code heartbeat} keeps proxies from cutting the stream and finds dead
 * clients. Each stream is one virtual thread parked on its {@link Waker}; feeds do the database reads. Each wake-up
 * writes what is new as one chunk ({@link LineBatch}: one socket write for up to 64 KB of the shared event lines, so
 * an initial list of 10 000 devices is ~150 writes, not one per line).
 */
public final class WatchRoutes {
    private static final Logger log = LoggerFactory.getLogger(WatchRoutes.class);
    private static final byte[] NEWLINE = {'\n'};
    /** How long a resuming stream waits for its feed to read commits it has not read yet (then it resets the client). */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(5);

    private final WatchAccess access;
    private final FeedRegistry feeds;
    private final OnlineTracker online;
    private final Duration heartbeat;
    private final ObjectMapper json;
    private final Map<String, byte[]> tailLines;
    private final Map<String, byte[]> resetLines;

    public WatchRoutes(
            WatchAccess access, FeedRegistry feeds, OnlineTracker online, Duration heartbeat, ObjectMapper json) {
        this.access = access;
        this.feeds = feeds;
        this.online = online;
        this.heartbeat = heartbeat;
        this.json = json;
        this.tailLines = eventLines(json, WatchEvent.TYPE_TAIL);
        this.resetLines = eventLines(json, WatchEvent.TYPE_RESET);
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/events")
                        .unaudited()
                        .tag("Events")
                        .access(Access.AUTHENTICATED)
                        .summary(
                                "Watch devices, security groups, device metadata and VPCs (every watch needs option vpc-id)")
                        .body(new TypeReference<List<Watch>>() {}.getType())
                        .returns(WatchEvent.class)
                        .contentType("application/json;stream=watch")
                        .errors(400, 403, 404)
                        .handler(c -> stream(c, null)),
                Route.post("/api/vpcs/{id}/events")
                        .unaudited()
                        .tag("Events")
                        .access(Access.AUTHENTICATED)
                        .summary("Watch one VPC; ?public_key= names the connecting device (online tracking)")
                        .query("public_key", "the connecting device's WireGuard public key")
                        .body(new TypeReference<List<Watch>>() {}.getType())
                        .returns(WatchEvent.class)
                        .contentType("application/json;stream=watch")
                        .errors(400, 403, 404)
                        .handler(c -> stream(c, c.pathId("id"))));
    }

    /** The value-less event of {@code type} (tail, reset) of each kind, serialized once. */
    private static Map<String, byte[]> eventLines(ObjectMapper json, String type) {
        Map<String, byte[]> m = new HashMap<>();
        for (String kind : WatchRequest.KINDS) {
            try {
                m.put(
                        kind,
                        (json.writeValueAsString(new EventLine(kind, type, null)) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.copyOf(m);
    }

    private Object stream(Call call, UUID pathVpc) {
        Principal p = call.principal();
        access.requireWatcher(p);
        List<Watch> watches = call.body(new TypeReference<List<Watch>>() {});
        List<WatchCursor> cursors = new ArrayList<>();
        for (WatchRequest r : WatchRequest.all(watches, pathVpc)) {
            cursors.add(new WatchCursor(r, tailLines.get(r.kind()), resetLines.get(r.kind())));
        }
        Set<UUID> vpcs = new LinkedHashSet<>();
        cursors.forEach(c -> vpcs.add(c.request().vpcId()));
        if (pathVpc != null) {
            vpcs.add(pathVpc);
        }
        String publicKey = call.query("public_key").orElse(null);
        UUID trackedDevice = access.open(p, vpcs, publicKey, pathVpc);
        run(call, cursors, p instanceof Principal.DevicePrincipal dt ? dt : null, trackedDevice);
        return null;
    }

    private void run(Call call, List<WatchCursor> cursors, Principal.DevicePrincipal self, UUID trackedDevice) {
        Waker waker = new Waker();
        Feed selfFeed = null;
        feeds.streamOpened();
        OutputStream out = call.stream("application/json;stream=watch");
        boolean tracked = false;
        try {
            out.write(NEWLINE); // sends the headers now, so the client's request returns at once
            out.flush();
            try {
                for (WatchCursor c : cursors) {
                    c.attach(feeds.subscribe(c.request().kind(), c.request().vpcId(), waker));
                }
                if (self != null) {
                    selfFeed = feeds.subscribe(Watch.KIND_DEVICE, self.vpcId(), waker);
                }
                for (WatchCursor c : cursors) {
                    // resuming from a revision another replica showed the client, before this one read it
                    feeds.catchUp(c.feed(), c.request().gtRevision(), CATCH_UP_WAIT);
                }
            } catch (RuntimeException e) {
                log.warn("watch feed load failed: {}", e.getMessage());
                out.write(json.writeValueAsBytes(new EventLine(
                        cursors.get(0).request().kind(),
                        WatchEvent.TYPE_ERROR,
                        new BaseError("cannot load the watched rows; retry"))));
                out.write(NEWLINE);
                out.flush();
                return;
            }
            if (trackedDevice != null) {
                online.connected(trackedDevice);
                tracked = true;
            }
            long heartbeatMs = heartbeat.toMillis();
            String selfKey = self == null ? null : self.deviceId().toString();
            for (int turn = 0; ; turn++) {
                // one turn: what is new for each watch (fair: the first watch served rotates), one write, one flush
                LineBatch batch = new LineBatch();
                boolean pending = false;
                for (int i = 0; i < cursors.size(); i++) {
                    if (cursors.get((turn + i) % cursors.size()).collect(batch)) {
                        pending = true;
                    }
                }
                if (!batch.isEmpty()) {
                    batch.writeTo(out);
                    out.flush();
                }
                if (feeds.isClosing()) {
                    break;
                }
                if (selfFeed != null && selfFeed.isDeleted(selfKey)) {
                    break;
                }
                if (pending) {
                    continue;
                }
                if (!waker.await(heartbeatMs)) {
                    out.write(NEWLINE);
                    out.flush();
                }
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            log.debug("watch stream ended: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (WatchCursor c : cursors) {
                if (c.feed() != null) {
                    feeds.unsubscribe(c.feed(), waker);
                }
            }
            if (selfFeed != null) {
                feeds.unsubscribe(selfFeed, waker);
            }
            if (tracked) {
                online.disconnected(trackedDevice);
            }
            feeds.streamClosed();
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                log.trace("closing watch stream: {}", e.getMessage());
            }
        }
    }
}
