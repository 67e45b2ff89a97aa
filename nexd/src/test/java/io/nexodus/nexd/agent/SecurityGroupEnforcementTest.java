package io.nexodus.nexd.agent;

import static io.nexodus.nexd.agent.Ipv4Packets.ACK;
import static io.nexodus.nexd.agent.Ipv4Packets.PSH;
import static io.nexodus.nexd.agent.Ipv4Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.api.client.Json;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.net.CommandRunner;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.net.NftSecurityGroup;
import io.nexodus.nexd.wg.DatagramPort;
import io.nexodus.nexd.wg.JavaBackend;
import io.nexodus.nexd.wg.PeerChange;
import io.nexodus.nexd.wg.PeerCounters;
import io.nexodus.nexd.wg.PeerEntry;
import io.nexodus.nexd.wg.WireGuardBackend;
import io.nexodus.packetfilter.Decision;
import io.nexodus.packetfilter.StatefulFilter;
import io.nexodus.wireguard.device.DropReason;
import io.nexodus.wireguard.tun.MemoryTun;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security groups enforced in the built-in WireGuard's packet path, seen from an attacker: two real in-memory devices
 * (no kernel interface, UDP on loopback) with the agent's {@link SecurityGroupEnforcer} on the victim, fed security
 * groups as the watch stream delivers them. A packet is "blocked" when the victim's device counts it as
 * {@link DropReason#FILTERED_INBOUND} and an allowed packet sent after it is the next one its interface sees.
 */
class SecurityGroupEnforcementTest {
    private static final UUID VPC = UUID.randomUUID();
    private static final UUID GROUP = UUID.randomUUID();
    private static final String ATTACKER_IP = "100.64.0.1";
    private static final String VICTIM_IP = "100.64.0.2";
    private static final long WAIT_MILLIS = 10_000;

    private JavaBackend attacker;
    private JavaBackend victim;
    private final Informer<SecurityGroup> groups = Informer.securityGroups(VPC);
    private SecurityGroupEnforcer enforcer;

    @BeforeEach
    void setUp() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        attacker = JavaBackend.inMemory("attacker", NodePrivateKey.generate().toBase64(), lo);
        victim = JavaBackend.inMemory("victim", NodePrivateKey.generate().toBase64(), lo);
        attacker.apply(List.of(peer(victim, VICTIM_IP)));
        victim.apply(List.of(peer(attacker, ATTACKER_IP)));
        enforcer = new SecurityGroupEnforcer(new StatefulFilter(), victim, VPC, false, System::nanoTime, null);
        groups.onEvent(new WatchEvent("security-group", WatchEvent.TYPE_TAIL, null));
    }

    @AfterEach
    void tearDown() {
        attacker.close();
        victim.close();
    }

    @Test
    void aPortTheGroupDoesNotAllowNeverReachesTheVictimAndIsCounted() throws Exception {
        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40001, VICTIM_IP, 23, SYN));
        send(attacker, Ipv4Packets.udp(ATTACKER_IP, 40002, VICTIM_IP, 53, bytes("query")));
        awaitFilteredInbound(2);
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40003, VICTIM_IP, 22, SYN));
        assertEquals(22, Ipv4Packets.destinationPort(next(victim)), "the allowed SYN is the first packet through");

        Map<Decision, Long> d = enforcer.filter().status().decisions();
        assertEquals(2, d.get(Decision.DROP_NO_MATCH));
        assertEquals(1, d.get(Decision.ACCEPT_NEW));
        List<String> status = enforcer.statusLines();
        assertTrue(status.getFirst().contains("security group: " + GROUP + " rev 1, enforced"), status.toString());
        assertTrue(status.contains("  inbound_rules[0] tcp 22 any: 1 new flows"), status.toString());
        assertTrue(status.stream().anyMatch(l -> l.contains("2 dropped (no rule 2")), status.toString());
    }

    @Test
    void repliesToFlowsTheVictimOpenedPass() throws Exception {
        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());

        send(victim, Ipv4Packets.tcp(VICTIM_IP, 40010, ATTACKER_IP, 8080, SYN));
        assertEquals(8080, Ipv4Packets.destinationPort(next(attacker)));
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 8080, VICTIM_IP, 40010, SYN | ACK));
        assertEquals(40010, Ipv4Packets.destinationPort(next(victim)), "the TCP reply passes");

        send(victim, Ipv4Packets.udp(VICTIM_IP, 40011, ATTACKER_IP, 5353, bytes("q")));
        assertEquals(5353, Ipv4Packets.destinationPort(next(attacker)));
        send(attacker, Ipv4Packets.udp(ATTACKER_IP, 5353, VICTIM_IP, 40011, bytes("a")));
        assertEquals(40011, Ipv4Packets.destinationPort(next(victim)), "the UDP reply passes");

        // the same ports opened from the attacker's side are new flows: refused
        send(attacker, Ipv4Packets.udp(ATTACKER_IP, 5353, VICTIM_IP, 40012, bytes("x")));
        awaitFilteredInbound(1);
        assertEquals(0, victim.device().drops().get(DropReason.FILTERED_OUTBOUND));
    }

    @Test
    void aRuleChangeStopsAnEstablishedFlowItNoLongerAllows() throws Exception {
        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40020, VICTIM_IP, 22, SYN));
        next(victim);
        send(victim, Ipv4Packets.tcp(VICTIM_IP, 22, ATTACKER_IP, 40020, SYN | ACK));
        next(attacker);
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40020, VICTIM_IP, 22, ACK));
        next(victim);
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40020, VICTIM_IP, 22, PSH | ACK));
        assertEquals(22, Ipv4Packets.destinationPort(next(victim)), "established before the change");

        putGroup(2, List.of(rule("tcp", 2222, 2222)), List.of());

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40020, VICTIM_IP, 22, PSH | ACK));
        awaitFilteredInbound(1);
        // the victim's server still sends (outbound has no rules): that reopens nothing for the attacker
        send(victim, Ipv4Packets.tcp(VICTIM_IP, 22, ATTACKER_IP, 40020, PSH | ACK));
        assertEquals(40020, Ipv4Packets.destinationPort(next(attacker)));
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40020, VICTIM_IP, 22, ACK));
        awaitFilteredInbound(2);
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40021, VICTIM_IP, 2222, SYN));
        assertEquals(2222, Ipv4Packets.destinationPort(next(victim)), "the newly allowed port opens");
        assertEquals(1, enforcer.filter().status().revoked());
    }

    @Test
    void aGroupThatCannotBeCompiledKeepsTheRulesInForce() throws Exception {
        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());
        putGroup(2, List.of(rule("sctp", 0, 0)), List.of());

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40030, VICTIM_IP, 23, SYN));
        awaitFilteredInbound(1);
        assertTrue(
                enforcer.statusLines().getLast().contains("inbound_rules[0].ip_protocol"),
                enforcer.statusLines().toString());
    }

    @Test
    void aGroupMissingFromTheListRefusesNewFlowsUntilItArrives() throws Exception {
        enforcer.update(victimDevice(GROUP), groups); // synced, but the device's group is not there

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40050, VICTIM_IP, 22, SYN));
        awaitFilteredInbound(1);
        assertTrue(
                enforcer.statusLines().getFirst().contains("every new flow refused"),
                enforcer.statusLines().toString());

        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40051, VICTIM_IP, 22, SYN));
        assertEquals(22, Ipv4Packets.destinationPort(next(victim)));
    }

    @Test
    void theDefaultGroupAllowsEverythingAndNoPeerWaitsForIt() throws Exception {
        SecurityGroup def = new SecurityGroup(VPC, "default", VPC, List.of(), List.of(), 1);
        groups.onEvent(new WatchEvent(
                "security-group", WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(def)));
        enforcer.update(victimDevice(null), groups);

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40040, VICTIM_IP, 23, SYN));
        assertEquals(23, Ipv4Packets.destinationPort(next(victim)));
        assertTrue(enforcer.statusLines().getFirst().contains(VPC + " rev 1 (the VPC's default group)"));
    }

    @Test
    void aBackendThatCannotFilterSaysSoInTheStatus() {
        SecurityGroupEnforcer goBackend = new SecurityGroupEnforcer(
                new StatefulFilter(), new NonFilteringBackend(), VPC, false, System::nanoTime, null);
        assertFalse(goBackend.enforced());
        putGroupInformer(1, List.of(rule("tcp", 22, 22)));
        goBackend.update(victimDevice(GROUP), groups);
        assertTrue(
                goBackend.statusLines().getFirst().contains("NOT enforced"),
                goBackend.statusLines().toString());
    }

    /**
     * wireguard-go: the same rules go to the kernel as one nftables transaction on the tunnel interface; a change after
     * the first also makes the kernel forget the tracked flows of the device's addresses, so revoked flows stop; the
     * status shows nft's counters; a script nft refuses leaves the group reported as NOT enforced; stopping removes the
     * table. (The rendering itself runs against a real kernel in packetfilter's {@code NftablesIT}, the whole path in
     * the NAT lab's {@code SecurityGroupScenariosIT}.)
     */
    @Test
    void withWireGuardGoTheGroupGoesToNftablesAndStatusShowsItsCounters() {
        List<String> commands = new ArrayList<>();
        List<String> scripts = new ArrayList<>();
        boolean[] refuse = {false};
        CommandRunner nft = (argv, stdin) -> {
            commands.add(String.join(" ", argv));
            if (stdin != null) {
                scripts.add(stdin);
            }
            if (refuse[0] && argv.getFirst().equals("nft") && stdin != null) {
                throw new NetConfigException("nft -f - failed (exit 1): Error: syntax error", null);
            }
            if (argv.equals(List.of("nft", "list", "table", "inet", "nexodus-sg"))) {
                return """
                        iifname "wg-go" tcp dport 22 counter packets 3 bytes 180 accept comment "inbound_rules[0]"
                        iifname "wg-go" counter packets 7 bytes 420 drop comment "inbound_rules: no rule matched"
                        """;
            }
            if (argv.getFirst().equals("conntrack")) {
                throw new NetConfigException(
                        "conntrack failed (exit 1): conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.",
                        null);
            }
            return "";
        };
        SecurityGroupEnforcer goBackend = new SecurityGroupEnforcer(
                new StatefulFilter(),
                new NonFilteringBackend(),
                VPC,
                false,
                System::nanoTime,
                new NftSecurityGroup(nft, "wg-go"));
        assertTrue(goBackend.enforced());

        putGroupInformer(1, List.of(rule("tcp", 22, 22)));
        goBackend.update(victimDevice(GROUP), groups);
        assertEquals(List.of("nft -f -"), commands, "the first set: no flows to re-judge yet");
        assertTrue(scripts.getFirst().contains("iifname \"wg-go\""), scripts.getFirst());
        assertTrue(scripts.getFirst().contains("tcp dport 22"), scripts.getFirst());
        List<String> status = goBackend.statusLines();
        assertTrue(status.getFirst().contains("enforced by nftables on wg-go"), status.toString());
        assertTrue(status.contains("  inbound_rules[0]: 3 packets"), status.toString());
        assertTrue(status.contains("  inbound_rules: no rule matched: 7 packets"), status.toString());

        commands.clear();
        putGroupInformer(2, List.of(rule("tcp", 443, 443)));
        goBackend.update(victimDevice(GROUP), groups);
        assertEquals(
                List.of("nft -f -", "conntrack -D -s " + VICTIM_IP, "conntrack -D -d " + VICTIM_IP),
                commands,
                "a change makes the kernel judge running flows again");
        assertTrue(scripts.getLast().contains("tcp dport 443"), scripts.getLast());

        refuse[0] = true;
        putGroupInformer(3, List.of(rule("tcp", 8080, 8080)));
        goBackend.update(victimDevice(GROUP), groups);
        assertFalse(goBackend.enforced());
        status = goBackend.statusLines();
        assertTrue(status.getFirst().contains("NOT enforced"), status.toString());
        assertTrue(status.getLast().contains("nftables refused it"), status.toString());

        refuse[0] = false;
        commands.clear();
        goBackend.close();
        assertEquals(List.of("nft -f -"), commands);
        assertFalse(scripts.getLast().contains("chain"), "stopping leaves only the delete: " + scripts.getLast());
    }

    /**
     * The victim as a subnet router: packets for a host on its LAN take the same path through its device, so its
     * group decides them like packets for itself (the router's enforcer does not narrow to its own addresses, as a
     * relay's does), and the LAN host's reply passes as the reply of the flow.
     */
    @Test
    void aSubnetRoutersGroupDecidesPacketsRoutedToItsLan() throws Exception {
        String lanHost = "192.168.31.11";
        attacker.apply(List.of(new PeerChange.Upsert(
                new PeerEntry(
                        victim.publicKey(),
                        Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), victim.listenPort())),
                        List.of(VICTIM_IP + "/32", "192.168.31.0/24"),
                        0),
                false,
                false)));
        putGroup(1, List.of(rule("tcp", 22, 22)), List.of());

        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40030, lanHost, 23, SYN));
        awaitFilteredInbound(1);
        send(attacker, Ipv4Packets.tcp(ATTACKER_IP, 40031, lanHost, 22, SYN));
        byte[] routed = next(victim);
        assertEquals(lanHost, Ipv4Packets.destination(routed), "the allowed SYN reaches the router's TUN for the LAN");
        assertEquals(22, Ipv4Packets.destinationPort(routed));
        // what the kernel forwards back from the LAN host (source NAT undone) is the flow's reply
        send(victim, Ipv4Packets.tcp(lanHost, 22, ATTACKER_IP, 40031, SYN | ACK));
        assertEquals(40031, Ipv4Packets.destinationPort(next(attacker)), "the LAN host's reply passes");
    }

    // ---------------------------------------------------------------------------------------------- fixtures

    private static PeerChange peer(JavaBackend to, String tunnelIp) {
        return new PeerChange.Upsert(
                new PeerEntry(
                        to.publicKey(),
                        Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), to.listenPort())),
                        List.of(tunnelIp + "/32"),
                        0),
                true,
                false);
    }

    private static SecurityRule rule(String protocol, int from, int to) {
        return new SecurityRule(protocol, from, to, List.of());
    }

    private void putGroup(long revision, List<SecurityRule> inbound, List<SecurityRule> outbound) {
        SecurityGroup g = new SecurityGroup(GROUP, "test", VPC, inbound, outbound, revision);
        groups.onEvent(new WatchEvent(
                "security-group", WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(g)));
        enforcer.update(victimDevice(GROUP), groups);
    }

    private void putGroupInformer(long revision, List<SecurityRule> inbound) {
        SecurityGroup g = new SecurityGroup(GROUP, "test", VPC, inbound, List.of(), revision);
        groups.onEvent(new WatchEvent(
                "security-group", WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(g)));
    }

    private static Device victimDevice(UUID group) {
        return new Device(
                UUID.randomUUID(),
                UUID.randomUUID(),
                VPC,
                "key",
                List.of(VICTIM_IP + "/32"),
                List.of(new TunnelIp(VICTIM_IP, "100.64.0.0/10")),
                List.of(),
                List.of(),
                false,
                false,
                "victim",
                "linux",
                List.of(),
                1,
                group,
                true,
                null,
                null);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void send(JavaBackend from, byte[] packet) {
        assertTrue(((MemoryTun) from.device().tun()).inject(packet));
    }

    /** The next packet the device's interface receives (fails after a generous wait). */
    private static byte[] next(JavaBackend to) throws InterruptedException {
        byte[] p = ((MemoryTun) to.device().tun()).poll(WAIT_MILLIS);
        assertNotNull(p, "no packet reached " + to.interfaceName());
        return p;
    }

    private void awaitFilteredInbound(long n) throws InterruptedException {
        awaitDrops(DropReason.FILTERED_INBOUND, n);
    }

    private void awaitDrops(DropReason reason, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
        while (victim.device().drops().get(reason) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, victim.device().drops().get(reason), reason.name());
    }

    /** A backend like wireguard-go's: nexd never sees its packets. */
    private static final class NonFilteringBackend implements WireGuardBackend {
        @Override
        public String interfaceName() {
            return "wg-go";
        }

        @Override
        public int listenPort() {
            return 51820;
        }

        @Override
        public String publicKey() {
            return "";
        }

        @Override
        public void apply(List<PeerChange> changes) {}

        @Override
        public void setFwmark(int mark) {}

        @Override
        public Map<String, PeerCounters> peers() {
            return Map.of();
        }

        @Override
        public Optional<DatagramPort> sharedSocket() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "wireguard-go";
        }

        @Override
        public void close() {}
    }
}
