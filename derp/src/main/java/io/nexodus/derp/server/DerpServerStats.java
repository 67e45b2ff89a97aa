package io.nexodus.derp.server;

import java.util.Map;

/**
 * A snapshot of the server's gauges and counters (Tailscale's expvar {@code derp} names in comments), for the service
 * to map onto its metrics registry. Counters only grow; gauges are current values.
 *
 * @param currentConnections         gauge_current_connections: registered client connections
 * @param currentHomeConnections     gauge_current_home_connections: connections that sent NotePreferred(true)
 * @param currentNotIdealConnections gauge_current_notideal_connections
 * @param watchers                   gauge_watchers: mesh connections watching this server
 * @param clientsLocal               gauge_clients_local: distinct keys connected here
 * @param clientsRemote              gauge_clients_remote: keys reachable through mesh peers only
 * @param dupClientKeys              gauge_current_dup_client_keys
 * @param dupClientConns             gauge_current_dup_client_conns
 * @param totalDupClientConns        counter_total_dup_client_conns
 * @param accepts                    accepts: connections that reached the DERP handshake
 * @param packetsReceived            packets_received (SendPacket and ForwardPacket frames)
 * @param bytesReceived              bytes_received (packet bytes)
 * @param packetsSent                packets_sent (RecvPacket frames written)
 * @param bytesSent                  bytes_sent (packet bytes)
 * @param packetsForwardedOut        packets_forwarded_out
 * @param packetsForwardedIn         packets_forwarded_in
 * @param pingsReceived              got_ping
 * @param pongsSent                  sent_pong
 * @param keepAlivesSent             keepalive frames queued
 * @param peerGoneDisconnectedFrames peer_gone_disconnected_frames
 * @param peerGoneNotHereFrames      peer_gone_not_here_frames
 * @param unknownFrames              frames of unknown or unexpected types, skipped
 * @param homeMovesIn                home_moves_in
 * @param homeMovesOut               home_moves_out
 * @param writeTimeouts              sclient_write_timeouts
 * @param packetsDropped             derp_packets_dropped by reason
 * @param bytesDropped               derp_bytes_dropped by reason
 * @param connectionsClosed          connections refused or closed by the server, by reason
 */
public record DerpServerStats(
        long currentConnections,
        long currentHomeConnections,
        long currentNotIdealConnections,
        long watchers,
        long clientsLocal,
        long clientsRemote,
        long dupClientKeys,
        long dupClientConns,
        long totalDupClientConns,
        long accepts,
        long packetsReceived,
        long bytesReceived,
        long packetsSent,
        long bytesSent,
        long packetsForwardedOut,
        long packetsForwardedIn,
        long pingsReceived,
        long pongsSent,
        long keepAlivesSent,
        long peerGoneDisconnectedFrames,
        long peerGoneNotHereFrames,
        long unknownFrames,
        long homeMovesIn,
        long homeMovesOut,
        long writeTimeouts,
        Map<DropReason, Long> packetsDropped,
        Map<DropReason, Long> bytesDropped,
        Map<ConnectionCloseReason, Long> connectionsClosed) {

    /** Packets dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return packetsDropped.getOrDefault(reason, 0L);
    }

    /** Connections closed for {@code reason}. */
    public long closed(ConnectionCloseReason reason) {
        return connectionsClosed.getOrDefault(reason, 0L);
    }
}
