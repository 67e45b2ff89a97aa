package io.nexodus.nexd.endpoint;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a symmetric NAT that hands out its ports in turn (one port after the other, one per new flow) will map the
 * next flows: after the highest port its two STUN answers showed. Two answers from one address whose ports lie at
 * most {@link #MAX_SPREAD} apart are taken for such a NAT; a NAT that picks ports at random gives answers that far
 * apart only by chance (about 16 in 64 000 per STUN round). The other flows of the NAT (its hosts' TCP connections,
 * other peers) take ports of their own between the STUN answers and the flow towards a peer, so the guess is a
 * window of ports, never one port.
 *
 * @param address  the NAT's public address (both answers)
 * @param lastPort the highest of the two answers' ports
 * @param spread   how far apart the two answers were (1 when nothing came between the two STUN queries)
 */
public record PortPrediction(InetAddress address, int lastPort, int spread) {
    /** The largest distance between the two answers that still counts as ports handed out in turn. */
    public static final int MAX_SPREAD = 8;

    public PortPrediction {
        Objects.requireNonNull(address);
        if (lastPort < 1 || lastPort > 65535 || spread < 1 || spread > MAX_SPREAD) {
            throw new IllegalArgumentException("not a port prediction: port " + lastPort + ", spread " + spread);
        }
    }

    /**
     * The prediction two STUN answers (the same flow source towards two servers) allow: same address, different ports
     * at most {@link #MAX_SPREAD} apart. Empty otherwise (one mapping for both: not symmetric; far apart: random).
     */
    public static Optional<PortPrediction> from(InetSocketAddress first, InetSocketAddress second) {
        if (first == null || second == null || !first.getAddress().equals(second.getAddress())) {
            return Optional.empty();
        }
        int spread = Math.abs(first.getPort() - second.getPort());
        if (spread == 0 || spread > MAX_SPREAD) {
            return Optional.empty();
        }
        return Optional.of(new PortPrediction(first.getAddress(), Math.max(first.getPort(), second.getPort()), spread));
    }

    /** The next {@code size} ports after {@link #lastPort} (fewer near 65535), as endpoints at {@link #address}. */
    public List<InetSocketAddress> window(int size) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int port = lastPort + 1; port <= 65535 && out.size() < size; port++) {
            out.add(new InetSocketAddress(address, port));
        }
        return out;
    }

    /** For logs and status: {@code 203.0.113.41:40003-40034}. */
    public String describe(int size) {
        List<InetSocketAddress> w = window(size);
        if (w.isEmpty()) {
            return Addresses.format(new InetSocketAddress(address, lastPort)) + " (no port left above)";
        }
        return Addresses.format(w.getFirst()) + "-" + w.getLast().getPort();
    }
}
