package io.nexodus.stun;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

/**
 * A small command-line front end to the stun module for tests that run it in other processes (network namespaces)
 * and for {@code bench/scripts/stun-throughput.sh}. Not shipped: the service and {@code nexd} embed the library.
 */
public final class StunTool {
    private StunTool() {}

    private static final String HELP = """
            usage: StunTool serve [--virtual-threads] HOST:PORT...
                     Serves STUN on every address until killed; prints "listening <addresses>" once bound
                     and the counters on exit. --virtual-threads runs each socket loop on a virtual thread
                     instead of a platform thread (for the benchmark's comparison).
                   StunTool detect [--bind HOST:PORT] [--timeout-ms N] SERVER_HOST:PORT...
                     Asks every server from one socket and prints one line:
                     "behaviour=<...> symmetric=<bool> reflexive=<ip:port|none> answers=<...>".
                     Exit code 0 if at least one server answered, 1 otherwise.
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(HELP);
            return;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        switch (args[0]) {
            case "serve" -> serve(rest);
            case "detect" -> System.exit(detect(rest));
            default -> {
                System.err.print("unknown command " + args[0] + "\n" + HELP);
                System.exit(2);
            }
        }
    }

    private static void serve(List<String> args) throws IOException, InterruptedException {
        boolean virtual = args.remove("--virtual-threads");
        List<InetSocketAddress> addresses = args.stream().map(StunTool::parse).toList();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("serve needs at least one HOST:PORT");
        }
        ThreadFactory threads = virtual
                ? Thread.ofVirtual().factory()
                : Thread.ofPlatform().daemon().factory();
        StunServer server = StunServer.start(addresses, StunServerConfig.defaults(), threads);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.out.println("stats " + server.stats());
            stop.countDown();
        }));
        System.out.println("listening " + server.localAddresses());
        System.out.flush();
        stop.await();
    }

    private static int detect(List<String> args) throws IOException, InterruptedException {
        InetSocketAddress bind = new InetSocketAddress(0);
        Duration timeout = Duration.ofSeconds(3);
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--bind" -> bind = parse(args.get(++i));
                case "--timeout-ms" -> timeout = Duration.ofMillis(Long.parseLong(args.get(++i)));
                default -> servers.add(parse(args.get(i)));
            }
        }
        StunClientConfig config = StunClientConfig.defaults()
                .withInitialRto(Duration.ofMillis(200))
                .withTimeout(timeout);
        try (StunClient client = StunClient.open(bind, config)) {
            NatMapping m = new NatMappingDetector(client).detect(servers);
            System.out.println("behaviour=" + m.behaviour() + " symmetric=" + m.symmetric() + " reflexive="
                    + m.reflexive().map(StunTool::format).orElse("none") + " answers=" + m.answers());
            return m.reflexive().isPresent() ? 0 : 1;
        }
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot parse " + hostPort + ": " + e.getMessage(), e);
        }
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
