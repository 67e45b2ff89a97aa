package io.nexodus.bench.packetfilter;

import io.nexodus.packetfilter.Decision;
import io.nexodus.packetfilter.Direction;
import io.nexodus.packetfilter.InvalidRuleException;
import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.RuleSpec;
import io.nexodus.packetfilter.StatefulFilter;
import io.nexodus.wireguard.crypto.TransportCipher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The security-group filter's cost per packet (bench/scripts/packetfilter-jmh.sh runs it and prints ratios): an
 * established flow's packet, a new flow that only the last of 100 rules allows, and a packet no rule allows (all 100
 * checked, dropped), against the anchor the device pays for every packet anyway: sealing a 1420-byte packet with
 * ChaCha20-Poly1305 (the wireguard module's TransportCipher).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class FilterDecisionBench {
    static final int MTU = 1420;

    StatefulFilter filter;
    StatefulFilter allowAll;
    byte[] established;
    byte[] newFlow;
    byte[] miss;
    byte[] sealBuf;
    TransportCipher cipher;
    SecretKey key;
    long now;
    long counter;
    int flowSeq;

    /** 100 inbound rules; only the last allows udp/5000-6000, so a new flow checks all 100 before it matches. */
    static RuleSet hundredRules() throws InvalidRuleException {
        List<RuleSpec> in = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            in.add(new RuleSpec(
                    i % 2 == 0 ? "tcp" : "udp",
                    1000 + i,
                    1000 + i,
                    List.of("10." + i + ".0.0/16", "fd00:" + i + "::/32")));
        }
        in.add(new RuleSpec("udp", 5000, 6000, List.of("100.64.0.0/10")));
        return RuleSet.parse("100 rules", in, List.of(new RuleSpec("tcp", 443, 443, List.of())));
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        filter = new StatefulFilter();
        filter.setRules(hundredRules());
        allowAll = new StatefulFilter();
        now = 1_000_000_000_000L;
        // an established TCP flow opened from this side (outbound rule), data arriving as replies
        byte[] syn = tcp(0x64400001, 50000, 0x64400002, 443, 0x02, MTU);
        check(filter.decide(Direction.OUTBOUND, syn, 0, syn.length, now), Decision.ACCEPT_NEW);
        byte[] synAck = tcp(0x64400002, 443, 0x64400001, 50000, 0x12, MTU);
        check(filter.decide(Direction.INBOUND, synAck, 0, synAck.length, now), Decision.ACCEPT_REPLY);
        established = tcp(0x64400002, 443, 0x64400001, 50000, 0x18, MTU);
        check(filter.decide(Direction.INBOUND, established, 0, established.length, now), Decision.ACCEPT_REPLY);
        newFlow = udp(0x64400002, 1, 0x64400001, 5353, MTU);
        miss = tcp(0x64400002, 40000, 0x64400001, 22, 0x02, MTU);
        check(filter.decide(Direction.INBOUND, miss, 0, miss.length, now), Decision.DROP_NO_MATCH);
        cipher = new TransportCipher();
        key = TransportCipher.key(new byte[32]);
        sealBuf = new byte[MTU + 16];
    }

    private static void check(Decision got, Decision want) {
        if (got != want) {
            throw new IllegalStateException("expected " + want + ", got " + got);
        }
    }

    /** The anchor: what the device spends on every packet anyway. */
    @Benchmark
    public int anchorSeal1420() {
        return cipher.seal(key, counter++, sealBuf, 0, MTU);
    }

    @Benchmark
    public Decision established() {
        now += 1_000;
        return filter.decide(Direction.INBOUND, established, 0, established.length, now);
    }

    /**
     * A new UDP flow per call (a fresh source address and port), admitted by the 100th rule. Time advances 1 ms per
     * call, so with the 30 s UDP timeout about 30 000 flows are live and the table keeps reclaiming expired ones.
     */
    @Benchmark
    public Decision newFlow100Rules() {
        now += 1_000_000;
        int seq = flowSeq++;
        int src = 0x64400000 | ((seq >>> 16) & 0xff) << 8 | 2;
        put32(newFlow, 12, src);
        newFlow[20] = (byte) (seq >>> 8);
        newFlow[21] = (byte) seq;
        return filter.decide(Direction.INBOUND, newFlow, 0, newFlow.length, now);
    }

    /** A TCP SYN no rule allows: all 100 rules are checked, the packet is dropped and counted. */
    @Benchmark
    public Decision miss100Rules() {
        now += 1_000;
        return filter.decide(Direction.INBOUND, miss, 0, miss.length, now);
    }

    /** An established flow with the allow-all rule set (the VPC's default group). */
    @Benchmark
    public Decision establishedAllowAll() {
        now += 1_000;
        return allowAll.decide(Direction.INBOUND, established, 0, established.length, now);
    }

    static byte[] tcp(int src, int sport, int dst, int dport, int flags, int size) {
        byte[] p = ipv4(src, dst, 6, size);
        put16(p, 20, sport);
        put16(p, 22, dport);
        p[32] = 0x50;
        p[33] = (byte) flags;
        return p;
    }

    static byte[] udp(int src, int sport, int dst, int dport, int size) {
        byte[] p = ipv4(src, dst, 17, size);
        put16(p, 20, sport);
        put16(p, 22, dport);
        put16(p, 24, size - 20);
        return p;
    }

    static byte[] ipv4(int src, int dst, int protocol, int size) {
        byte[] p = new byte[size];
        p[0] = 0x45;
        put16(p, 2, size);
        p[8] = 64;
        p[9] = (byte) protocol;
        put32(p, 12, src);
        put32(p, 16, dst);
        return p;
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }
}
