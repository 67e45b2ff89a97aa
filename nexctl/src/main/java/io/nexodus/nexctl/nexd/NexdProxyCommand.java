package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.NexdRpcException;
import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nexctl nexd proxy ...}: the rules of {@code nexd proxy} (userspace mode). */
@Command(
        name = "proxy",
        description = {
            "Proxy rules of a nexd running as `nexd proxy` (userspace mode, no root).",
            "Any other nexd answers these requests with an error.",
            "A rule is protocol:port:destination_ip:destination_port, protocol tcp or udp (tcp:8080:100.64.0.7:80).",
            "Ingress: connections to this device's tunnel address at port go to destination on this host's",
            "networks; egress: nexd listens on 127.0.0.1:port and forwards to destination in the Nexodus network.",
            "Rules added here are kept in nexd's state directory across restarts."
        })
final class NexdProxyCommand extends NexdBase {

    @Command(name = "list", description = "List the proxy rules.")
    void list() {
        List<String> rules = checkedClient().proxyList();
        out().value(rules, String.join("\n", rules));
    }

    @Command(name = "add", description = "Add proxy rules (they are kept across nexd restarts).")
    int add(
            @Option(names = "--ingress", paramLabel = "RULE", description = "Ingress rule (repeatable).")
                    List<String> ingress,
            @Option(names = "--egress", paramLabel = "RULE", description = "Egress rule (repeatable).")
                    List<String> egress) {
        return apply(true, ingress, egress);
    }

    @Command(
            name = "remove",
            description = "Remove proxy rules (their connections in progress are reset; also from the state).")
    int remove(
            @Option(names = "--ingress", paramLabel = "RULE", description = "Ingress rule (repeatable).")
                    List<String> ingress,
            @Option(names = "--egress", paramLabel = "RULE", description = "Egress rule (repeatable).")
                    List<String> egress) {
        return apply(false, ingress, egress);
    }

    /** Sends every rule; one that nexd rejects is reported and the rest still go (as upstream). */
    private int apply(boolean add, List<String> ingress, List<String> egress) {
        List<String> in = ingress == null ? List.of() : ingress;
        List<String> eg = egress == null ? List.of() : egress;
        if (in.isEmpty() && eg.isEmpty()) {
            throw CliException.usage("no rules given: use --ingress and/or --egress");
        }
        NexdCtlClient c = checkedClient();
        List<String> done = new ArrayList<>();
        int failed = 0;
        for (ProxyDirection d : ProxyDirection.values()) {
            for (String rule : d == ProxyDirection.INGRESS ? in : eg) {
                try {
                    String r = add ? c.proxyAdd(d, rule) : c.proxyRemove(d, rule);
                    done.add(d.flag() + " " + rule);
                    if (out().tabular()) {
                        env().out().print(r.endsWith("\n") || r.isEmpty() ? r : r + "\n");
                    }
                } catch (NexdRpcException e) {
                    failed++;
                    env().err()
                            .println("error: " + (add ? "adding " : "removing ")
                                    + d.name().toLowerCase(Locale.ROOT) + " rule " + rule + ": "
                                    + e.getMessage());
                }
            }
        }
        if (!out().tabular()) {
            out().value(done, "");
        }
        env().out().flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
