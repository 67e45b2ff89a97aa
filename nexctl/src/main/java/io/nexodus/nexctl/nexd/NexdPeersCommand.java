package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.ConnectivityResult;
import io.nexodus.api.nexdctl.IpFamily;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.PeerReachability;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.nexctl.output.Cells;
import io.nexodus.nexctl.output.Table;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl nexd peers ...}. */
@Command(name = "peers", description = "This device's peers: how each is reached, and whether it answers.")
final class NexdPeersCommand extends NexdBase {
    static final String RELAY_WARNING = "WARNING: a relay is required but none is present: peers that need one"
            + " (symmetric NAT, --relay-only) are unreachable.";

    static Table<PeerStatus> table(boolean full, Instant now) {
        return Table.<PeerStatus>builder()
                .col("PUBLIC KEY", PeerStatus::publicKey)
                .col("HOSTNAME", PeerStatus::hostname)
                .when(full, b -> b.col("TUNNEL IPS", PeerStatus::tunnelIps).col("ENDPOINT", PeerStatus::endpoint))
                .col("ALLOWED IPS", PeerStatus::allowedIps)
                .col("METHOD", PeerStatus::method)
                .when(full, b -> b.col("RELAY", PeerStatus::relay))
                .col("VIA", PeerStatus::relayName)
                .when(
                        full,
                        b -> b.col(
                                        "LATEST HANDSHAKE",
                                        p -> Cells.ago(p.latestHandshakeTime().orElse(null), now))
                                .col("TRANSMITTED", PeerStatus::tx)
                                .col("RECEIVED", PeerStatus::rx))
                .col("HEALTHY", PeerStatus::healthy)
                .when(full, b -> b.col("PATH NOTE", PeerStatus::pathNote))
                .build();
    }

    static Table<PeerReachability> pingTable() {
        return Table.<PeerReachability>builder()
                .col("HOSTNAME", PeerReachability::hostname)
                .col("WIREGUARD ADDRESS", PeerReachability::wgIp)
                .col("LATENCY", PeerReachability::latency)
                .col("PEERING METHOD", PeerReachability::method)
                .col("CONNECTION STATUS", p -> p.reachable() ? "✓ Reachable" : "x Unreachable")
                .build();
    }

    @Command(
            name = "list",
            description = {
                "List the peers and how each is reached (the peering method).",
                "Methods: direct-local, reflexive, peer-reflexive, via-relay, via-derp-relay,",
                "relay-node-*. --full adds PATH NOTE: what port prediction did for a path.",
                "VIA names the relay that carries a relayed peer: the WireGuard relay's",
                "hostname, an onboarded DERP relay's host name, or public:<region>.",
                "--output json prints nexd's answer: {relay-present, relay-required,",
                "peers: {<public key>: {..., hostname, tunnel_ips, method, relay, relay_name,",
                "path_note}}}."
            })
    void list(
            @Option(
                            names = {"-f", "--full"},
                            description = "Show all details (endpoint, relay, handshake, traffic).")
                    boolean full) {
        ListPeersResult r = checkedClient().listPeers();
        if (out().tabular()) {
            List<PeerStatus> peers = r.peers().values().stream()
                    .sorted(Comparator.comparing((PeerStatus p) -> p.hostname() == null ? "" : p.hostname())
                            .thenComparing(PeerStatus::publicKey))
                    .toList();
            out().list(table(full, env().clock().instant()), peers);
        } else {
            out().value(r, "");
        }
        warnIfRelayMissing(r.relayRequired(), r.relayPresent());
    }

    @Command(
            name = "ping",
            description = {
                "Probe every peer's IPv4 tunnel address through the tunnel.",
                "Host firewalls or security groups may block the probes."
            })
    void ping() {
        probe(IpFamily.V4);
    }

    @Command(name = "ping6", description = "Probe every peer's IPv6 tunnel address through the tunnel.")
    void ping6() {
        probe(IpFamily.V6);
    }

    private void probe(IpFamily family) {
        var client = checkedClient();
        if (env().console() != null) {
            env().err().println("Probing peers...");
        }
        ConnectivityResult r = client.connectivity(family);
        if (out().tabular()) {
            List<PeerReachability> peers = r.peers().values().stream()
                    .sorted(Comparator.comparing((PeerReachability p) -> p.hostname() == null ? "" : p.hostname())
                            .thenComparing(p -> p.wgIp() == null ? "" : p.wgIp()))
                    .toList();
            out().list(pingTable(), peers);
        } else {
            out().value(r, "");
        }
        warnIfRelayMissing(r.relayRequired(), r.relayPresent());
    }

    private void warnIfRelayMissing(boolean required, boolean present) {
        if (required && !present) {
            env().err().println(RELAY_WARNING);
            env().err().flush();
        }
    }
}
