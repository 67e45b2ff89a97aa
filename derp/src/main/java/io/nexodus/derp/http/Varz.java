package io.nexodus.derp.http;

import io.nexodus.derp.server.ConnectionCloseReason;
import io.nexodus.derp.server.DerpServerStats;
import io.nexodus.derp.server.DropReason;
import java.util.Locale;

/**
 * The relay's counters in the Prometheus text format, served at {@code /debug/varz} to loopback clients only (as
 * Tailscale's derper serves its debug pages): what an operator on the relay host, or a test inside the relay's network
 * namespace, reads to see drops and closes by reason. Names follow Tailscale's expvar {@code derp_*} names.
 */
final class Varz {
    private Varz() {}

    static String render(DerpServerStats s) {
        StringBuilder b = new StringBuilder(4096);
        gauge(b, "derp_current_connections", s.currentConnections());
        gauge(b, "derp_current_home_connections", s.currentHomeConnections());
        gauge(b, "derp_current_notideal_connections", s.currentNotIdealConnections());
        gauge(b, "derp_watchers", s.watchers());
        gauge(b, "derp_clients_local", s.clientsLocal());
        gauge(b, "derp_clients_remote", s.clientsRemote());
        gauge(b, "derp_current_dup_client_keys", s.dupClientKeys());
        counter(b, "derp_accepts", s.accepts());
        counter(b, "derp_packets_received", s.packetsReceived());
        counter(b, "derp_bytes_received", s.bytesReceived());
        counter(b, "derp_packets_sent", s.packetsSent());
        counter(b, "derp_bytes_sent", s.bytesSent());
        counter(b, "derp_packets_forwarded_out", s.packetsForwardedOut());
        counter(b, "derp_packets_forwarded_in", s.packetsForwardedIn());
        counter(b, "derp_got_ping", s.pingsReceived());
        counter(b, "derp_sent_pong", s.pongsSent());
        counter(b, "derp_unknown_frames", s.unknownFrames());
        counter(b, "derp_home_moves_in", s.homeMovesIn());
        counter(b, "derp_home_moves_out", s.homeMovesOut());
        counter(b, "derp_sclient_write_timeouts", s.writeTimeouts());
        b.append("# TYPE derp_packets_dropped counter\n");
        for (DropReason r : DropReason.values()) {
            b.append("derp_packets_dropped{reason=\"")
                    .append(label(r))
                    .append("\"} ")
                    .append(s.dropped(r))
                    .append('\n');
        }
        b.append("# TYPE derp_connections_closed counter\n");
        for (ConnectionCloseReason r : ConnectionCloseReason.values()) {
            b.append("derp_connections_closed{reason=\"")
                    .append(label(r))
                    .append("\"} ")
                    .append(s.closed(r))
                    .append('\n');
        }
        return b.toString();
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void gauge(StringBuilder b, String name, long v) {
        b.append("# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(' ')
                .append(v)
                .append('\n');
    }

    private static void counter(StringBuilder b, String name, long v) {
        b.append("# TYPE ")
                .append(name)
                .append(" counter\n")
                .append(name)
                .append(' ')
                .append(v)
                .append('\n');
    }
}
