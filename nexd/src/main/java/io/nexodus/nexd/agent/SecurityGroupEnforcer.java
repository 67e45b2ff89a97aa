package io.nexodus.nexd.agent;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.watch.Informer;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.net.NftSecurityGroup;
import io.nexodus.nexd.wg.WireGuardBackend;
import io.nexodus.packetfilter.Decision;
import io.nexodus.packetfilter.FilterStatus;
import io.nexodus.packetfilter.InvalidRuleException;
import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.RuleSpec;
import io.nexodus.packetfilter.StatefulFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device's security group in the data plane: resolves the device's group from the watch (its
 * {@code security_group_id}, else the VPC's default group, whose id is the VPC's), compiles it with the
 * {@code packetfilter} module and puts it in force in one step ({@link StatefulFilter#setRules}). The filter sits in
 * the built-in WireGuard device's packet path from the start ({@link WireGuardBackend#enforce}). The wireguard-go
 * backend's packets never pass through nexd: there the same compiled rules go to the kernel as an nftables table on
 * the tunnel interface ({@link NftSecurityGroup}); if nft refuses or is missing, the group is reported as not enforced.
 * <p>
 * A group that cannot be compiled (only possible if a service accepted what ours refuses) fails closed: the rules in
 * force stay, and the log and {@code nexctl nexd status} say why. A group id missing from the VPC's list refuses every
 * new flow until the group appears or the device moves to another group.
 * <p>
 * Threads: {@link #update} and {@link #tick} run on the agent loop's thread only; {@link #statusLines} on any thread.
 */
final class SecurityGroupEnforcer {
    private static final Logger log = LoggerFactory.getLogger(SecurityGroupEnforcer.class);
    /** How often timed-out flows are swept, so the flow count in the status stays right (lookups reclaim them anyway). */
    static final long EXPIRE_INTERVAL_NANOS = 10_000_000_000L;

    private final StatefulFilter filter;
    private final boolean inDevice;
    private final NftSecurityGroup kernel;
    private final boolean enforced;
    private final UUID vpcId;
    private final boolean forwards;
    private final LongSupplier nanoTime;

    // owned by the loop thread
    private UUID triedGroup;
    private long triedRevision = -1;
    private boolean missingReported;
    private List<String> localAddresses = List.of();
    private long lastExpire;

    // for the status, written by the loop thread
    private volatile String label = "";
    private volatile boolean hasRules;
    private volatile String problem = "";
    private volatile boolean kernelFailed;

    /**
     * @param forwards whether this device forwards other devices' packets (a relay): then only packets to or from its
     *                 own tunnel addresses are filtered, as nftables' input and output hooks would
     * @param nanoTime {@code System::nanoTime} (tests pass a manual clock)
     * @param kernel   the nftables enforcement used when {@code wg} cannot filter in its packet path; null: none
     */
    SecurityGroupEnforcer(
            StatefulFilter filter,
            WireGuardBackend wg,
            UUID vpcId,
            boolean forwards,
            LongSupplier nanoTime,
            NftSecurityGroup kernel) {
        this.filter = filter;
        this.vpcId = vpcId;
        this.forwards = forwards;
        this.nanoTime = nanoTime;
        // in place before any peer is configured, so every TCP connection is seen from its SYN: a connection a rule
        // change revoked then cannot come back by this device sending mid-stream (see docs/security-groups.md)
        filter.setPickUpRunningTcp(false);
        this.inDevice = wg.enforce(filter); // allow-all until the group arrives; flows are tracked from the start
        this.kernel = inDevice ? null : kernel;
        this.enforced = inDevice || this.kernel != null;
        this.lastExpire = nanoTime.getAsLong();
    }

    /**
     * Whether packets are filtered: by the built-in WireGuard, or by nftables for wireguard-go (until nft refuses a
     * change: then the status says the group is not enforced).
     */
    boolean enforced() {
        return enforced && !kernelFailed;
    }

    /** The filter (for its counters). */
    StatefulFilter filter() {
        return filter;
    }

    /**
     * Puts the group of {@code self} (as the watch last delivered it) in force if it or its revision changed. Cheap when
     * nothing changed: one map lookup.
     */
    void update(Device self, Informer<SecurityGroup> groups) {
        if (forwards) {
            List<String> own = ownAddresses(self);
            if (!own.equals(localAddresses)) {
                localAddresses = own;
                try {
                    filter.setLocalAddresses(own);
                } catch (IllegalArgumentException e) {
                    log.warn("cannot tell own tunnel addresses {} from forwarded traffic: {}", own, e.getMessage());
                }
            }
        }
        UUID id = self.securityGroupId() != null ? self.securityGroupId() : vpcId;
        SecurityGroup group = groups.get(id.toString()).orElse(null);
        if (group == null) {
            if (groups.isSynced() && !missingReported) {
                missingReported = true;
                triedGroup = null; // applied as soon as it appears
                RuleSet refuse = refuseAll(id + " (not in the VPC's list)");
                filter.setRules(refuse);
                putInKernel(refuse, self);
                label = id + " (not in the VPC's list: every new flow refused)";
                hasRules = true;
                problem = "security group " + id + " of this device is not in the VPC's list; refusing every new flow";
                log.warn(problem);
            }
            return;
        }
        missingReported = false;
        if (id.equals(triedGroup) && group.revision() == triedRevision) {
            return;
        }
        triedGroup = id;
        triedRevision = group.revision();
        String name = id + " rev " + group.revision() + (id.equals(vpcId) ? " (the VPC's default group)" : "");
        RuleSet rules;
        try {
            rules = RuleSet.parse(name, specs(group.inboundRules()), specs(group.outboundRules()));
        } catch (InvalidRuleException e) {
            problem =
                    "security group " + name + " cannot be enforced (" + e.getMessage() + "); the rules in force stay";
            log.error(problem);
            return;
        }
        filter.setRules(rules);
        label = name;
        hasRules = !rules.allowsAll();
        problem = "";
        if (!putInKernel(rules, self)) {
            return;
        }
        if (enforced) {
            log.info(
                    "security group {} in force: {} inbound and {} outbound rules{}",
                    name,
                    count(group.inboundRules()),
                    count(group.outboundRules()),
                    hasRules ? "" : " (all traffic allowed)");
        } else if (hasRules) {
            log.warn(
                    "security group {} has rules, but they are NOT enforced: the wireguard-go backend does not filter packets"
                            + " (run nexd with the built-in WireGuard to enforce security groups)",
                    name);
        }
    }

    /** Hands the rules to nftables when that is the enforcement; false (and the problem said) when it refused. */
    private boolean putInKernel(RuleSet rules, Device self) {
        if (kernel == null) {
            return true;
        }
        try {
            kernel.apply(rules, ownAddresses(self));
            kernelFailed = false;
            return true;
        } catch (NetConfigException | IllegalArgumentException e) {
            kernelFailed = true;
            triedRevision = -1; // the next watch batch tries again
            problem = "security group " + rules.label() + " is NOT enforced: nftables refused it (" + e.getMessage()
                    + ")";
            log.error(problem);
            return false;
        }
    }

    /** Removes what this enforcer put into the kernel (nexd stops). */
    void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** Sweeps timed-out flows every {@link #EXPIRE_INTERVAL_NANOS}. */
    void tick() {
        long now = nanoTime.getAsLong();
        if (now - lastExpire >= EXPIRE_INTERVAL_NANOS) {
            lastExpire = now;
            filter.expire(now);
        }
    }

    /** Lines for {@code nexctl nexd status}: the group in force and, when enforced, its counters. */
    List<String> statusLines() {
        List<String> out = new ArrayList<>();
        String name = label;
        if (name.isEmpty()) {
            out.add("security group: waiting for the VPC's security groups (no peer is configured before they arrive)");
        } else if (!enforced) {
            out.add("security group: " + name
                    + (hasRules
                            ? " — NOT enforced: the wireguard-go backend does not filter packets"
                            : " (no rules: all traffic allowed; the wireguard-go backend would not enforce rules)"));
        } else if (kernel != null) {
            out.add("security group: " + name
                    + (kernelFailed
                            ? " — NOT enforced (see the problem below)"
                            : ", enforced by nftables on " + kernel.iface() + " (wireguard-go backend)"));
            try {
                kernel.counters().forEach((rule, packets) -> out.add("  " + rule + ": " + packets + " packets"));
            } catch (NetConfigException e) {
                out.add("  counters: cannot read them (" + e.getMessage() + ")");
            }
        } else {
            FilterStatus s = filter.status();
            out.add("security group: " + name + ", enforced by the built-in WireGuard");
            for (FilterStatus.RuleHits h : s.inbound()) {
                out.add("  " + h.field() + " " + h.rule() + ": " + h.flows() + " new flows");
            }
            for (FilterStatus.RuleHits h : s.outbound()) {
                out.add("  " + h.field() + " " + h.rule() + ": " + h.flows() + " new flows");
            }
            Map<Decision, Long> d = s.decisions();
            long accepted = d.entrySet().stream()
                    .filter(e -> e.getKey().accepted())
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            out.add("  packets: " + accepted + " accepted (new " + d.get(Decision.ACCEPT_NEW) + ", established "
                    + d.get(Decision.ACCEPT_ESTABLISHED) + ", reply " + d.get(Decision.ACCEPT_REPLY) + ", related "
                    + d.get(Decision.ACCEPT_RELATED) + ", stateless " + d.get(Decision.ACCEPT_STATELESS) + "), "
                    + s.dropped() + " dropped (no rule " + d.get(Decision.DROP_NO_MATCH) + ", table full "
                    + d.get(Decision.DROP_TABLE_FULL) + ", invalid " + d.get(Decision.DROP_INVALID) + ")");
            out.add("  flows: " + s.flows() + " tracked of " + s.capacity() + ", " + s.evicted() + " evicted, "
                    + s.revoked() + " stopped by a rule change");
        }
        String p = problem;
        if (!p.isEmpty()) {
            out.add("  problem: " + p);
        }
        return out;
    }

    /** A rule set no real packet matches: every new flow is refused (rules only allow; a direction with rules drops). */
    static RuleSet refuseAll(String label) {
        List<RuleSpec> nothing = List.of(new RuleSpec("ipv4", 0, 0, List.of("255.255.255.255")));
        try {
            return RuleSet.parse(label, nothing, nothing);
        } catch (InvalidRuleException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<RuleSpec> specs(List<SecurityRule> rules) {
        if (rules == null) {
            return List.of();
        }
        List<RuleSpec> out = new ArrayList<>();
        for (SecurityRule r : rules) {
            out.add(r == null ? null : new RuleSpec(r.ipProtocol(), r.fromPort(), r.toPort(), r.ipRanges()));
        }
        return out;
    }

    private static int count(List<SecurityRule> rules) {
        return rules == null ? 0 : rules.size();
    }

    private static List<String> ownAddresses(Device self) {
        List<String> out = new ArrayList<>();
        for (List<TunnelIp> ips : Arrays.asList(self.ipv4TunnelIps(), self.ipv6TunnelIps())) {
            for (TunnelIp ip : ips == null ? List.<TunnelIp>of() : ips) {
                if (ip != null && ip.address() != null && !ip.address().isBlank()) {
                    out.add(ip.address());
                }
            }
        }
        return out;
    }
}
