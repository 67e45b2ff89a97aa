package io.nexodus.bench.wireguard;

import io.nexodus.nexd.wg.SecurityGroupHook;
import io.nexodus.packetfilter.InvalidRuleException;
import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.RuleSpec;
import io.nexodus.packetfilter.StatefulFilter;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.uapi.UapiServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A userspace WireGuard interface (as {@code nexodus-wg -f IFNAME}) whose packets pass nexd's security-group filter
 * holding a group of N inbound rules, for {@code bench/scripts/wireguard-throughput.sh --modes ...,javasg}.
 *
 * <p>The group is built so that a new flow walks every rule: N-2 rules that never match iperf3's traffic (TCP ports
 * 10000 and up from documentation ranges), then ICMP (the script's ping check) and TCP 5201 (iperf3) from anywhere as
 * the last two. Outbound has no rules, which allows everything (upstream's semantics). Flows are tracked as nexd does
 * (TCP only from its SYN), and expired once a second as nexd's loop does.
 *
 * <pre>java -cp ... io.nexodus.bench.wireguard.SecurityGroupWireGuard IFNAME [RULES]</pre>
 */
public final class SecurityGroupWireGuard {
    private SecurityGroupWireGuard() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SecurityGroupWireGuard IFNAME [RULES (default 100, at least 2)]");
            System.exit(2);
        }
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        StatefulFilter filter = new StatefulFilter();
        filter.setPickUpRunningTcp(false);
        filter.setRules(group(count));
        Device device = Device.builder()
                .interfaceName(args[0])
                .packetFilter(new SecurityGroupHook(filter))
                .build();
        UapiServer uapi = UapiServer.start(device);
        ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor();
        var expiring = expiry.scheduleAtFixedRate(() -> filter.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(device::close, "bench-wg-shutdown"));
        System.err.println("bench-wg: " + device.name() + " is up with a " + count + "-rule group (UAPI "
                + uapi.socketPath() + ")");
        device.closed().join();
        expiring.cancel(false);
        expiry.shutdownNow();
        System.err.println("bench-wg: " + filter.status());
    }

    static RuleSet group(int count) throws InvalidRuleException {
        if (count < 2) {
            throw new IllegalArgumentException("a group for this benchmark needs at least 2 rules");
        }
        List<RuleSpec> inbound = new ArrayList<>();
        for (int i = 0; i < count - 2; i++) {
            String range = (i % 2 == 0 ? "192.0.2." : "198.51.100.") + (i % 250) + "/32";
            inbound.add(new RuleSpec("tcp", 10_000 + i, 10_000 + i, List.of(range)));
        }
        inbound.add(new RuleSpec("icmp", 0, 0, List.of()));
        inbound.add(new RuleSpec("tcp", 5201, 5201, List.of()));
        return RuleSet.parse("benchmark group of " + count + " rules", inbound, List.of());
    }
}
