package io.nexodus.nexd.net;

import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.nft.NftCounters;
import io.nexodus.packetfilter.nft.NftablesScript;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A security group enforced by the kernel, for a WireGuard whose packets never pass through nexd (wireguard-go): the
 * rules as one nftables transaction ({@link NftablesScript}, table {@code inet nexodus-sg}, hooked on the tunnel
 * interface), replaced atomically on every change and removed when nexd stops.
 * <p>
 * nftables by itself would grandfather every established flow on a change (its {@code ct state established} accept
 * comes first). To stop flows the new rules no longer allow, as the built-in device does, a change after the first
 * also deletes the kernel's connection-tracking entries of this device's tunnel addresses ({@code conntrack -D}): the
 * next packet of each flow is then tracked anew (Linux picks up TCP mid-stream) and judged by the new rules, so an
 * allowed flow goes on and a revoked one stops. Without the {@code conntrack} tool, established flows keep going
 * until they end, and the log says so once.
 * <p>
 * Not thread-safe for changes (the agent loop applies); {@link #counters} may be called from any thread.
 */
public final class NftSecurityGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NftSecurityGroup.class);

    private final CommandRunner run;
    private final String iface;
    private boolean installed;
    private boolean applied;
    private boolean conntrackMissingReported;

    public NftSecurityGroup(CommandRunner run, String iface) {
        this.run = run;
        this.iface = iface;
    }

    /** The interface the rules are hooked on. */
    public String iface() {
        return iface;
    }

    /**
     * Puts {@code rules} in force in one transaction; a group without rules removes the table. Then, unless this is the
     * first set, re-judges the tracked flows of {@code ownAddresses} (see the class comment).
     *
     * @throws NetConfigException if nft refused the script (nothing changed then) or is missing
     */
    public void apply(RuleSet rules, List<String> ownAddresses) throws NetConfigException {
        run.run(List.of("nft", "-f", "-"), NftablesScript.render(rules, iface));
        installed = !rules.allowsAll();
        boolean first = !applied;
        applied = true;
        if (!first) {
            forgetTrackedFlows(ownAddresses);
        }
    }

    private void forgetTrackedFlows(List<String> ownAddresses) {
        for (String address : ownAddresses) {
            for (String side : List.of("-s", "-d")) {
                try {
                    run.run(List.of("conntrack", "-D", side, address), null);
                } catch (NetConfigException e) {
                    String m = e.getMessage();
                    if (m != null && m.contains("0 flow entries")) {
                        continue; // nothing tracked for this address: conntrack exits 1 for that
                    }
                    if (m != null && m.startsWith("cannot run conntrack")) {
                        if (!conntrackMissingReported) {
                            conntrackMissingReported = true;
                            log.warn(
                                    "conntrack is not installed: connections established before a security-group change"
                                            + " continue until they end (new ones follow the new rules)");
                        }
                        return;
                    }
                    log.warn("cannot re-judge established flows of {}: {}", address, m);
                }
            }
        }
    }

    /** Packets per rule comment ({@link NftCounters}); empty when no table is installed. */
    public Map<String, Long> counters() throws NetConfigException {
        if (!installed) {
            return Map.of();
        }
        return NftCounters.parse(run.run(List.of("nft", "list", "table", "inet", NftablesScript.TABLE), null));
    }

    /** Removes the table (nexd stops: the interface goes too, and nothing of ours is left behind). */
    @Override
    public void close() {
        if (!applied) {
            return;
        }
        try {
            run.run(List.of("nft", "-f", "-"), NftablesScript.remove());
            installed = false;
        } catch (NetConfigException e) {
            log.warn("cannot remove the nftables table {}: {}", NftablesScript.TABLE, e.getMessage());
        }
    }
}
