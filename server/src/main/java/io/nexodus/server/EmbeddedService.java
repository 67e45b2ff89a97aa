package io.nexodus.server;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * A network service that runs inside the Nexodus service process next to the HTTP API (the STUN server on
 * {@link ServerConfig#stunPorts()}, later the public DERP relay). {@link NexodusServer} starts them after the
 * database and stops them before it.
 */
public interface EmbeddedService extends AutoCloseable {
    /** Starts serving; throws if the ports cannot be bound. */
    void start() throws Exception;

    /** Registers this service's counters on the service's registry (served at /metrics). Called before start. */
    default void bindMetrics(MeterRegistry registry) {}

    /** One line for the start-up banner, e.g. "STUN on udp 0.0.0.0:3478, 0.0.0.0:3479". */
    String describe();

    @Override
    void close();
}
