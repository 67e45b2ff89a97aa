package io.nexodus.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.api.model.RelayRegion;
import java.util.List;
import java.util.Set;

/**
 * A network service that runs inside the Nexodus service process next to the HTTP API (the STUN server on
 * {@link ServerConfig#stunPorts()}, the public DERP relay). {@link NexodusServer} starts them after the database and
 * the HTTP server (so the public URL and TLS material are known) and stops them before the database.
 */
public interface EmbeddedService extends AutoCloseable {
    /** Starts serving; throws if the ports cannot be bound. */
    void start(EmbeddedContext context) throws Exception;

    /** Registers this service's counters on the service's registry (served at /metrics). Called before start. */
    default void bindMetrics(MeterRegistry registry) {}

    /** Extra names the service's self-signed certificate must cover (e.g. the relay's own host name). */
    default Set<String> tlsNames() {
        return Set.of();
    }

    /** Public DERP relays this service provides, published at {@code GET /api/relays} (after start). */
    default List<RelayRegion> publicRelays() {
        return List.of();
    }

    /** One line for the start-up banner, e.g. "STUN on udp 0.0.0.0:3478, 0.0.0.0:3479". */
    String describe();

    @Override
    void close();
}
