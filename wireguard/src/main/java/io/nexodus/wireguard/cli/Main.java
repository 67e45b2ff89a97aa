package io.nexodus.wireguard.cli;

import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.Timings;
import io.nexodus.wireguard.uapi.UapiServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nexodus-wg [-f|--foreground] IFNAME}: a userspace WireGuard interface that behaves like wireguard-go. It
 * creates the TUN and the UAPI socket /var/run/wireguard/IFNAME.sock, then serves until the interface is deleted,
 * the socket file is removed, or it gets SIGTERM/SIGINT. Configure it with {@code wg}. Only parses flags and wires
 * objects; the background mode (without -f) is done by the {@code bin/nexodus-wg} launcher, which starts this in the
 * foreground in its own session and waits for {@link #READY_FILE_ENV}.
 */
public final class Main {
    /** The launcher sets this; "ok" or "error: …" is written there once the interface is up or failed. */
    public static final String READY_FILE_ENV = "NEXODUS_WG_READY_FILE";

    static final String VERSION = "0.1.0";

    private Main() {}

    static final String HELP = """
            Usage: nexodus-wg [-f|--foreground] [options] INTERFACE-NAME

            Userspace WireGuard for Linux, written in Java; a drop-in for wireguard-go.

            Creates the TUN interface INTERFACE-NAME (MTU 1420) and the configuration socket
            /var/run/wireguard/INTERFACE-NAME.sock, then runs until the interface is deleted
            (ip link del), the socket is removed, or it receives SIGTERM/SIGINT. Configure it
            with the wg tool, exactly as a kernel or wireguard-go interface:

              nexodus-wg wg0
              wg setconf wg0 /etc/wireguard/wg0.conf       (or: wg set wg0 private-key ... peer ...)
              ip address add 10.0.0.1/24 dev wg0 && ip link set wg0 up
              wg show wg0

            or let wg-quick do all of it:
              WG_QUICK_USERSPACE_IMPLEMENTATION=nexodus-wg wg-quick up wg0

            Without -f the program returns as soon as the interface and socket exist and keeps
            running in the background. Needs CAP_NET_ADMIN (root).

            Options:
              -f, --foreground           stay in the foreground
                  --mtu N                 MTU of the new interface (default 1420)
                  --crypto-workers N      extra threads for encryption/decryption (default: 0 on
                                          machines with up to 2 cores, else up to 4)
                  --protocol-timing SPEC  override protocol constants, for tests only, e.g.
                                          rekeyAfterTime=5s,rejectAfterTime=15s (names in docs/wireguard.md)
                  --bench-filter          for benchmarks only: install a packet filter that reads every
                                          packet's protocol, addresses and ports and accepts it all
                                          (measures the filter hook's cost; it filters nothing)
              -h, --help                  show this help
                  --version               show the version

            Environment:
              LOG_LEVEL=verbose|debug|error|silent   with -f: how much to log (default error);
                                                     without -f: output is discarded unless set
            """;

    public static void main(String[] args) {
        configureLogging(System.getenv("LOG_LEVEL"));
        System.exit(run(args, System.out, System.err));
    }

    /** Points Logback (if present) at our configuration, with wireguard-go's LOG_LEVEL names. */
    static void configureLogging(String logLevel) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/nexodus/wireguard/cli/logback-nexodus-wg.xml");
        }
        String level = switch (logLevel == null ? "" : logLevel) {
            case "verbose", "debug" -> "DEBUG";
            case "error" -> "ERROR";
            case "silent" -> "OFF";
            default -> "WARN";
        };
        System.setProperty("nexodus.wg.logLevel", level);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String name = null;
        int mtu = 1420;
        Timings timings = Timings.DEFAULT;
        int cryptoWorkers = -1;
        boolean benchFilter = false;
        List<String> rest = new ArrayList<>(List.of(args));
        try {
            for (int i = 0; i < rest.size(); i++) {
                String a = rest.get(i);
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(HELP);
                        return 0;
                    }
                    case "--version" -> {
                        out.println("nexodus-wg " + VERSION + " (userspace WireGuard in Java)");
                        return 0;
                    }
                    case "-f", "--foreground" -> {}
                    case "--bench-filter" -> benchFilter = true;
                    case "--mtu" -> mtu = Integer.parseInt(value(rest, ++i, a));
                    case "--protocol-timing" -> timings = Timings.parse(value(rest, ++i, a));
                    case "--crypto-workers" -> cryptoWorkers = Integer.parseInt(value(rest, ++i, a));
                    default -> {
                        if (a.startsWith("--mtu=")) {
                            mtu = Integer.parseInt(a.substring(6));
                        } else if (a.startsWith("--crypto-workers=")) {
                            cryptoWorkers = Integer.parseInt(a.substring(17));
                        } else if (a.startsWith("--protocol-timing=")) {
                            timings = Timings.parse(a.substring(18));
                        } else if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                        } else if (name != null) {
                            throw new IllegalArgumentException("only one interface name may be given");
                        } else {
                            name = a;
                        }
                    }
                }
            }
            if (name == null) {
                throw new IllegalArgumentException("missing INTERFACE-NAME (see --help)");
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            err.println("nexodus-wg: " + e.getMessage());
            signalReady("error: " + e.getMessage());
            return 2;
        }
        return serve(name, mtu, timings, cryptoWorkers, benchFilter, err);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int serve(
            String name, int mtu, Timings timings, int cryptoWorkers, boolean benchFilter, PrintStream err) {
        Device device;
        UapiServer uapi;
        try {
            Device.Builder b = Device.builder().interfaceName(name).mtu(mtu).timings(timings);
            if (cryptoWorkers >= 0) {
                b.cryptoWorkers(cryptoWorkers);
            }
            if (benchFilter) {
                b.packetFilter(new TupleReadingFilter());
            }
            device = b.build();
        } catch (IOException | RuntimeException e) {
            String why = "cannot create interface " + name + ": " + e.getMessage();
            err.println("nexodus-wg: " + why);
            signalReady("error: " + why);
            return 1;
        }
        try {
            uapi = UapiServer.start(device);
        } catch (IOException | RuntimeException e) {
            device.close();
            String why = "cannot create the UAPI socket for " + name + ": " + e;
            err.println("nexodus-wg: " + why);
            signalReady("error: " + why);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(device::close, "nexodus-wg-shutdown"));
        err.println("nexodus-wg: " + device.name() + " is up; configure it with wg (UAPI " + uapi.socketPath() + ")");
        signalReady("ok");
        device.closed().join();
        err.println("nexodus-wg: " + device.name() + " shut down");
        return 0;
    }

    /** Tells the launcher how startup went (atomically: write a temp file, then rename). */
    private static void signalReady(String status) {
        String path = System.getenv(READY_FILE_ENV);
        if (path == null || path.isBlank()) {
            return;
        }
        try {
            Path p = Path.of(path);
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, status + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the launcher notices that we never said anything
        }
    }
}
