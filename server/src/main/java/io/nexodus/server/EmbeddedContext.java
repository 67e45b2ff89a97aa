package io.nexodus.server;

import io.nexodus.server.db.Database;
import io.nexodus.server.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What an {@link EmbeddedService} learns from the running service when it starts.
 *
 * @param publicUrl the URL clients use for the API (e.g. {@code https://nexodus.example.com:8443})
 * @param tls       the API's certificate and key, when the service serves HTTPS
 * @param dataDir   the service's data directory (for files the embedded service keeps, e.g. a key)
 * @param clock     time
 * @param devices   the registered devices' WireGuard keys and VPCs (the public DERP relay admits and separates
 *                  clients by them)
 * @param database  the service's database (the public DERP relay records its node there for the other replicas)
 */
public record EmbeddedContext(
        String publicUrl,
        Optional<TlsMaterial> tls,
        Path dataDir,
        Clock clock,
        DeviceKeys devices,
        Database database) {}
