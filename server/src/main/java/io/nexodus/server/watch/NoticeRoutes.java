package io.nexodus.server.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.ServerConnectionException;
import io.nexodus.api.model.Notice;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.Route;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/notices}: the console's notice stream ({@link Notices}). Newline-delimited {@link Notice}s:
 * {@code ready} once subscribed, then one line per kind that changed for the caller, a blank line every
 * {@code heartbeat}. Lists without a watch stream of their own (organizations, members, invitations, VPCs,
 * registration keys, users, relays) are read again when their kind is named.
 */
public final class NoticeRoutes {
    private static final Logger log = LoggerFactory.getLogger(NoticeRoutes.class);
    private static final String CONTENT_TYPE = "application/json;stream=watch";

    private final Notices notices;
    private final Duration heartbeat;
    private final ObjectMapper json;

    public NoticeRoutes(Notices notices, Duration heartbeat, ObjectMapper json) {
        this.notices = notices;
        this.heartbeat = heartbeat;
        this.json = json;
    }

    public List<Route> routes() {
        return List.of(Route.get("/api/notices")
                .unaudited()
                .tag("Events")
                .access(Access.USER)
                .summary("Notices for the caller: which lists (organizations, invitations, VPCs, keys, users, relays)"
                        + " changed")
                .returns(Notice.class)
                .contentType(CONTENT_TYPE)
                .handler(this::stream));
    }

    private Object stream(Call call) {
        OutputStream out = call.stream(CONTENT_TYPE);
        try (Notices.Subscription s = notices.subscribe(call.principal().ownerId())) {
            write(out, Notice.READY);
            long heartbeatMs = heartbeat.toMillis();
            while (!notices.isClosing()) {
                List<String> kinds = s.await(heartbeatMs);
                if (notices.isClosing()) {
                    break;
                }
                if (kinds.isEmpty()) {
                    out.write('\n');
                    out.flush();
                    continue;
                }
                for (String kind : kinds) {
                    write(out, kind);
                }
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            log.debug("notice stream ended: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                log.trace("closing notice stream: {}", e.getMessage());
            }
        }
        return null;
    }

    private void write(OutputStream out, String kind) throws IOException {
        out.write(json.writeValueAsBytes(new Notice(kind)));
        out.write('\n');
        out.flush();
    }
}
