package io.nexodus.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.stun.StunServer;
import io.nexodus.stun.StunServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The service's STUN server: one socket per port on the API's listen host, so agents find their reflexive address
 * (and, by asking both ports, whether their NAT is symmetric) without any public STUN server.
 */
final class EmbeddedStunServer implements EmbeddedService {
    private final String host;
    private final List<Integer> ports;
    private volatile StunServer server;

    EmbeddedStunServer(String host, List<Integer> ports) {
        this.host = host;
        this.ports = List.copyOf(ports);
    }

    @Override
    public void start(EmbeddedContext context) throws Exception {
        List<InetSocketAddress> addresses =
                ports.stream().map(p -> new InetSocketAddress(host, p)).toList();
        try {
            server = StunServer.start(addresses, StunServerConfig.defaults().withSoftware("nexodus"));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (choose other UDP ports with --stun-ports)", e);
        }
    }

    @Override
    public void bindMetrics(MeterRegistry registry) {
        counter(registry, "received", "binding requests and other datagrams received", StunServer.Stats::received);
        counter(registry, "success_responses", "binding success responses sent", StunServer.Stats::successResponses);
        counter(registry, "error_responses", "error responses sent", StunServer.Stats::errorResponses);
        counter(registry, "malformed", "datagrams dropped as malformed", StunServer.Stats::malformed);
        counter(registry, "ignored", "well-formed messages that need no answer", StunServer.Stats::ignored);
        counter(registry, "send_errors", "responses that could not be sent", StunServer.Stats::sendErrors);
    }

    private void counter(MeterRegistry registry, String name, String help, ToDoubleFunction<StunServer.Stats> value) {
        FunctionCounter.builder(
                        "nexodus_stun_" + name, this, s -> s.server == null ? 0 : value.applyAsDouble(s.server.stats()))
                .description(help)
                .register(registry);
    }

    @Override
    public String describe() {
        StunServer s = server;
        List<?> bound = s != null
                ? s.localAddresses()
                : ports.stream().map(p -> host + ":" + p).toList();
        // InetSocketAddress prints "/127.0.0.1:3478" (empty host name, then the address): show "127.0.0.1:3478"
        return "STUN:       udp "
                + bound.stream().map(a -> a.toString().replaceFirst("^/", "")).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        StunServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
