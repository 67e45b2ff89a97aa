package io.nexodus.nexd.peering;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.endpoint.PortPrediction;
import io.nexodus.wireguard.bind.UdpEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A peer device as the peering logic sees it: the parts of the service's device record that decide how to reach it,
 * parsed and checked once (the service's data is not trusted to be well formed; what does not parse is left out).
 *
 * @param publicKey         WireGuard public key (base64)
 * @param deviceId          the device's id
 * @param hostname          for people
 * @param relay             the device is a relay ({@code nexd relay} or an onboarded {@code relayderp})
 * @param relayType         metadata {@code relay.type} ({@code wireguard}, {@code derp}); empty when not set
 * @param symmetricNat      the device is behind symmetric NAT (or runs {@code --relay-only})
 * @param localEndpoint     its {@code local} endpoint (LAN address + WireGuard port)
 * @param reflexiveEndpoint its {@code stun:…} endpoint (address on the internet)
 * @param tunnelIps         tunnel addresses, IPv4 first, without prefix
 * @param allowedIps        its own addresses as CIDRs ({@code /32}, {@code /128})
 * @param advertiseCidrs    networks routed through it; {@code 0.0.0.0/0} when it offers itself as an exit node (never
 *                          routed or put in allowed IPs as such: see {@link #routedCidrs()} and {@link #exitNode()})
 * @param derpHostname      metadata {@code relay.hostname} of an onboarded DERP relay
 * @param derpCertModeManual metadata {@code relay.certmodemanual}: private name, the user's own certificate
 * @param portPrediction    behind a symmetric NAT whose two published {@code stun:…} answers lie close together (its
 *                          ports come in turn): where its next mappings will be
 */
public record PeerInfo(
        String publicKey,
        UUID deviceId,
        String hostname,
        boolean relay,
        Optional<String> relayType,
        boolean symmetricNat,
        Optional<InetSocketAddress> localEndpoint,
        Optional<InetSocketAddress> reflexiveEndpoint,
        List<String> tunnelIps,
        List<String> allowedIps,
        List<String> advertiseCidrs,
        Optional<String> derpHostname,
        boolean derpCertModeManual,
        Optional<PortPrediction> portPrediction) {

    /** What an exit node advertises, and what its entry carries on a client that uses it. */
    public static final String EXIT_ROUTE = "0.0.0.0/0";

    public PeerInfo {
        tunnelIps = List.copyOf(tunnelIps);
        allowedIps = List.copyOf(allowedIps);
        advertiseCidrs = List.copyOf(advertiseCidrs);
        Objects.requireNonNull(derpHostname);
        Objects.requireNonNull(portPrediction);
    }

    /** A device that is not an onboarded DERP relay. */
    public PeerInfo(
            String publicKey,
            UUID deviceId,
            String hostname,
            boolean relay,
            Optional<String> relayType,
            boolean symmetricNat,
            Optional<InetSocketAddress> localEndpoint,
            Optional<InetSocketAddress> reflexiveEndpoint,
            List<String> tunnelIps,
            List<String> allowedIps,
            List<String> advertiseCidrs) {
        this(
                publicKey,
                deviceId,
                hostname,
                relay,
                relayType,
                symmetricNat,
                localEndpoint,
                reflexiveEndpoint,
                tunnelIps,
                allowedIps,
                advertiseCidrs,
                Optional.empty(),
                false,
                Optional.empty());
    }

    /**
     * An onboarded DERP relay ({@code nexd relayderp --onboard}): metadata {@code relay.type == "derp"} with a host
     * name. It runs no WireGuard, so it is never a WireGuard peer.
     */
    public boolean isDerpRelay() {
        return relayType.map(t -> t.equals("derp")).orElse(false) && derpHostname.isPresent();
    }

    /** It offers itself as an exit node: it advertises the IPv4 default route ({@code nexd router --exit-node}). */
    public boolean exitNode() {
        return advertiseCidrs.contains(EXIT_ROUTE);
    }

    /** The advertised networks a peer routes to it: every one but the default routes (those make an exit node). */
    public List<String> routedCidrs() {
        return advertiseCidrs.stream().filter(c -> !Cidrs.isDefaultRoute(c)).toList();
    }

    /** The VPC's WireGuard hub relay (a relay device whose metadata does not say DERP). */
    public boolean isWireGuardRelay() {
        return relay && relayType.map(t -> !t.equals("derp")).orElse(true);
    }

    /** Parses the device record; {@code relayMetadata} is its {@code relay} metadata, if any. */
    public static PeerInfo from(Device d, Optional<DeviceMetadata> relayMetadata) {
        Optional<InetSocketAddress> local = Optional.empty();
        Optional<InetSocketAddress> reflexive = Optional.empty();
        Optional<InetSocketAddress> secondReflexive = Optional.empty();
        for (Endpoint e : d.endpoints() == null ? List.<Endpoint>of() : d.endpoints()) {
            if (e == null || e.source() == null) {
                continue;
            }
            if (e.source().equals(Endpoint.SOURCE_LOCAL) && local.isEmpty()) {
                local = Addresses.parseEndpoint(e.address());
            } else if (e.source().startsWith(Endpoint.SOURCE_STUN_PREFIX)) {
                if (reflexive.isEmpty()) {
                    reflexive = Addresses.parseEndpoint(e.address());
                } else if (secondReflexive.isEmpty()) {
                    secondReflexive = Addresses.parseEndpoint(e.address());
                }
            }
        }
        Optional<PortPrediction> prediction = Optional.empty();
        if (d.symmetricNat() && reflexive.isPresent() && secondReflexive.isPresent()) {
            prediction = PortPrediction.from(reflexive.get(), secondReflexive.get());
        }
        List<String> tunnel = new ArrayList<>();
        addAddresses(tunnel, d.ipv4TunnelIps());
        addAddresses(tunnel, d.ipv6TunnelIps());
        List<String> allowed = new ArrayList<>();
        for (String a : d.allowedIps() == null ? List.<String>of() : d.allowedIps()) {
            Cidrs.normalize(a).ifPresent(allowed::add);
        }
        if (allowed.isEmpty()) {
            for (String t : tunnel) {
                Cidrs.normalize(t).ifPresent(allowed::add);
            }
        }
        List<String> advertised = new ArrayList<>();
        for (String a : d.advertiseCidrs() == null ? List.<String>of() : d.advertiseCidrs()) {
            Cidrs.normalize(a).ifPresent(advertised::add);
        }
        Optional<String> type = relayMetadata
                .map(DeviceMetadata::value)
                .filter(v -> v != null && v.isObject() && v.path("type").isTextual())
                .map(v -> v.path("type").asText());
        Optional<JsonNode> value = relayMetadata.map(DeviceMetadata::value).filter(v -> v != null && v.isObject());
        Optional<String> derpHost = value.map(v -> v.path("hostname"))
                .filter(h -> h.isTextual() && validHostname(h.asText()))
                .map(h -> h.asText().toLowerCase(Locale.ROOT));
        boolean manual =
                value.map(v -> v.path("certmodemanual").asBoolean(false)).orElse(false);
        return new PeerInfo(
                d.publicKey(),
                d.id(),
                d.hostname() == null ? "" : d.hostname(),
                d.relay(),
                type,
                d.symmetricNat(),
                local,
                reflexive,
                tunnel,
                allowed,
                advertised,
                derpHost,
                manual,
                prediction);
    }

    /** A DNS name we are willing to put into a URL and {@code /etc/hosts} (letters, digits, '-', '.'). */
    static boolean validHostname(String h) {
        return h.length() <= 253
                && h.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    }

    private static void addAddresses(List<String> out, List<TunnelIp> ips) {
        if (ips == null) {
            return;
        }
        for (TunnelIp t : ips) {
            if (t != null && t.address() != null) {
                String a = t.address().contains("/")
                        ? t.address().substring(0, t.address().indexOf('/'))
                        : t.address();
                Addresses.parseIp(a).ifPresent(ip -> out.add(UdpEndpoint.formatAddress(ip)));
            }
        }
    }
}
