package io.nexodus.nexd.endpoint;

import io.nexodus.nexd.wg.DatagramPort;

/**
 * Makes a {@link ReflexiveProbe} that sends its STUN requests from {@code port} and gets the answers through the port's
 * receive handler (which the factory installs).
 */
@FunctionalInterface
public interface StunProbeFactory {
    ReflexiveProbe create(DatagramPort port);
}
