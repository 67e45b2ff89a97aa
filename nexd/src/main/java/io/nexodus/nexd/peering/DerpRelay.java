package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A DERP relay this agent may send WireGuard packets through.
 *
 * @param kind           the service's public relay or one onboarded into the VPC ({@code nexd relayderp --onboard})
 * @param id             stable identity: {@code public:<region>} or {@code onboarded:<device id>}
 * @param url            what the DERP client connects to ({@code https://host:port/derp})
 * @param dialIp         connect to this address instead of resolving the URL's host (the name is still what TLS
 *                       checks); empty = resolve (for a {@code certModeManual} relay through the managed {@code /etc/hosts}
 *                       block)
 * @param caPem          a CA certificate (PEM) to trust for this relay instead of the agent's trust store, when the
 *                       service published one
 * @param certModeManual onboarded with a private name and the user's own certificate
 * @param pinnedIp       for {@code certModeManual}: the relay device's reflexive IP the host name must resolve to
 */
public record DerpRelay(
        Kind kind,
        String id,
        URI url,
        Optional<InetAddress> dialIp,
        Optional<String> caPem,
        boolean certModeManual,
        Optional<InetAddress> pinnedIp) {

    public enum Kind {
        PUBLIC,
        ONBOARDED
    }

    public DerpRelay {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(id);
        Objects.requireNonNull(url);
        Objects.requireNonNull(dialIp);
        Objects.requireNonNull(caPem);
        Objects.requireNonNull(pinnedIp);
    }

    /** What users see: an onboarded relay's host name, else the id ({@code public:<region>}). */
    public String name() {
        return kind == Kind.ONBOARDED ? hostname() : id;
    }

    /** The name TLS checks (and the managed hosts entry maps). */
    public String hostname() {
        return url.getHost();
    }
}
