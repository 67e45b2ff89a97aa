package io.nexodus.server.relay;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.derp.server.ConnectionCloseReason;
import io.nexodus.derp.server.DerpServerStats;
import io.nexodus.derp.server.DropReason;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Maps {@link DerpServerStats} onto Micrometer as {@code nexodus_derp_*}: the {@code current*}, {@code watchers},
 * {@code clients*} and {@code dup*} values are gauges, everything else a counter (Prometheus adds {@code _total});
 * drops and closes are tagged by reason, every reason registered up front at 0 (as Tailscale pre-initialises its
 * labels). Names follow Tailscale's expvar {@code derp} names where there is one (§4.11 of the reference).
 */
final class DerpMetrics {
    private Supplier<DerpServerStats> stats = () -> null;

    void bindTo(MeterRegistry r, Supplier<DerpServerStats> source) {
        this.stats = source;
        gauge(r, "current_connections", "registered DERP client connections", DerpServerStats::currentConnections);
        gauge(
                r,
                "current_home_connections",
                "connections whose client calls this relay home (NotePreferred)",
                DerpServerStats::currentHomeConnections);
        gauge(
                r,
                "current_notideal_connections",
                "connections of clients that would rather use another node",
                DerpServerStats::currentNotIdealConnections);
        gauge(r, "watchers", "mesh peers watching this relay's clients", DerpServerStats::watchers);
        gauge(r, "clients_local", "distinct client keys connected here", DerpServerStats::clientsLocal);
        gauge(r, "clients_remote", "client keys reachable through mesh peers only", DerpServerStats::clientsRemote);
        gauge(r, "current_dup_client_keys", "keys with more than one connection", DerpServerStats::dupClientKeys);
        gauge(r, "current_dup_client_conns", "connections of keys with more than one", DerpServerStats::dupClientConns);
        counter(
                r,
                "dup_client_conns",
                "connections that duplicated a connected key",
                DerpServerStats::totalDupClientConns);
        counter(r, "accepts", "connections that reached the DERP handshake", DerpServerStats::accepts);
        counter(
                r,
                "packets_received",
                "packets received from clients (SendPacket, ForwardPacket)",
                DerpServerStats::packetsReceived);
        counter(r, "bytes_received", "packet bytes received", DerpServerStats::bytesReceived);
        counter(r, "packets_sent", "packets written to clients", DerpServerStats::packetsSent);
        counter(r, "bytes_sent", "packet bytes written to clients", DerpServerStats::bytesSent);
        counter(r, "packets_forwarded_out", "packets forwarded to mesh peers", DerpServerStats::packetsForwardedOut);
        counter(r, "packets_forwarded_in", "packets received from mesh peers", DerpServerStats::packetsForwardedIn);
        counter(r, "got_ping", "Ping frames received", DerpServerStats::pingsReceived);
        counter(r, "sent_pong", "Pong frames sent", DerpServerStats::pongsSent);
        counter(r, "keepalives_sent", "KeepAlive frames sent", DerpServerStats::keepAlivesSent);
        counter(
                r,
                "peer_gone_disconnected_frames",
                "PeerGone(disconnected) frames sent",
                DerpServerStats::peerGoneDisconnectedFrames);
        counter(
                r,
                "peer_gone_not_here_frames",
                "PeerGone(not here) frames sent",
                DerpServerStats::peerGoneNotHereFrames);
        counter(r, "unknown_frames", "frames of unknown or unexpected types, skipped", DerpServerStats::unknownFrames);
        counter(r, "home_moves_in", "clients that made this relay their home", DerpServerStats::homeMovesIn);
        counter(r, "home_moves_out", "clients that stopped calling this relay home", DerpServerStats::homeMovesOut);
        counter(r, "write_timeouts", "writes to clients that timed out", DerpServerStats::writeTimeouts);
        for (DropReason reason : DropReason.values()) {
            String tag = reason.name().toLowerCase(Locale.ROOT);
            FunctionCounter.builder("nexodus_derp_packets_dropped", this, m -> m.value(s -> s.dropped(reason)))
                    .description("packets dropped, by reason")
                    .tag("reason", tag)
                    .register(r);
            FunctionCounter.builder(
                            "nexodus_derp_bytes_dropped",
                            this,
                            m -> m.value(s -> s.bytesDropped().getOrDefault(reason, 0L)))
                    .description("packet bytes dropped, by reason")
                    .tag("reason", tag)
                    .register(r);
        }
        for (ConnectionCloseReason reason : ConnectionCloseReason.values()) {
            FunctionCounter.builder("nexodus_derp_connections_closed", this, m -> m.value(s -> s.closed(reason)))
                    .description("connections refused or closed by the relay, by reason")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(r);
        }
    }

    private double value(ToLongFunction<DerpServerStats> f) {
        DerpServerStats s = stats.get();
        return s == null ? 0 : f.applyAsLong(s);
    }

    private void gauge(MeterRegistry r, String name, String help, ToLongFunction<DerpServerStats> f) {
        Gauge.builder("nexodus_derp_" + name, this, m -> m.value(f))
                .description(help)
                .register(r);
    }

    private void counter(MeterRegistry r, String name, String help, ToLongFunction<DerpServerStats> f) {
        FunctionCounter.builder("nexodus_derp_" + name, this, m -> m.value(f))
                .description(help)
                .register(r);
    }
}
