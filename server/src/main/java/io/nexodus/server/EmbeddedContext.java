package io.nexodus.server;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.server.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What an {@link EmbeddedService} learns from the running service when it starts.
 *
 * @param publicUrl the URL clients use for the API (e.g. {@code https://nexodus.example.com:8443})
 * @param tls       the API's certificate and key, when the service serves HTTPS
 * @param dataDir   the service's data directory (for files the embedded service keeps, e.g. a key)
 * @param clock     time
 * @param deviceKey whether a key is the WireGuard key of a registered (not deleted) device of any VPC, asked the
 *                  database each time (for the public DERP relay's admission, once per connection)
 */
public record EmbeddedContext(
        String publicUrl, Optional<TlsMaterial> tls, Path dataDir, Clock clock, Predicate<NodePublicKey> deviceKey) {}
