package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.IpFamily;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl nexd get ...}. */
@Command(name = "get", description = "Read a value from nexd.")
final class NexdGetCommand extends NexdBase {

    @Command(name = "tunnelip", description = "This device's tunnel address.")
    void tunnelIp(
            @Option(
                            names = {"-6", "--ipv6"},
                            description = "The IPv6 address instead of the IPv4 one.")
                    boolean ipv6) {
        String ip = checkedClient().tunnelIp(ipv6 ? IpFamily.V6 : IpFamily.V4);
        out().value(Map.of("tunnel_ip", ip), ip);
    }

    @Command(name = "debug", description = "Whether nexd logs at debug level.")
    void debug() {
        boolean on = checkedClient().debug();
        out().value(Map.of("debug", on), on ? "on" : "off");
    }
}
