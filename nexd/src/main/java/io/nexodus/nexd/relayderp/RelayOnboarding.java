package io.nexodus.nexd.relayderp;

import io.nexodus.api.model.RelayMetadata;

/**
 * {@code nexd relayderp --onboard}: join the VPC as a device (like {@code nexd relay}, with {@code relay: true}) and
 * write the device metadata {@code relay} = {@link RelayMetadata#derp}. This is the agent's join flow, which lives in
 * the agent; {@link RelayDerpCommand} calls it once the relay serves. Until the agent provides it,
 * {@link #UNAVAILABLE} makes {@code --onboard} fail with a clear message instead of silently doing nothing.
 */
@FunctionalInterface
public interface RelayOnboarding {
    /**
     * Registers this host as the VPC's relay device and publishes {@code metadata}; returns a handle that keeps the
     * device up (watch, STUN re-checks, ...) until it is closed at shutdown.
     *
     * @param metadata the value to write under the device metadata key {@link RelayMetadata#KEY}
     * @param relay    the running relay (its URL, key, STUN server)
     * @throws Exception when joining fails; the command prints the message and exits 1
     */
    AutoCloseable onboard(RelayMetadata metadata, RelayDerpServer relay) throws Exception;

    /** What a build without the agent's join flow uses. */
    RelayOnboarding UNAVAILABLE = (metadata, relay) -> {
        throw new UnsupportedOperationException("--onboard is not available in this build: joining a VPC needs the "
                + "nexd agent's registration, which is not wired into relayderp yet. Run the relay without --onboard "
                + "and add it as a public relay instead (nexctl relay create --region-code ... --hostname "
                + metadata.hostname() + " ...)");
    };
}
