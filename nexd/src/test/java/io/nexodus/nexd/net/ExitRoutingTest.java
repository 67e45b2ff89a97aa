package io.nexodus.nexd.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The exit node client's policy routing against a model of iproute2: what is set, updated, and taken down exactly. */
class ExitRoutingTest {
    private final FakeIp ip = new FakeIp();
    private final ExitRouting routing = new ExitRouting(ip, "wg0");

    @Test
    void theBatchFillsTheTableBeforeTheRulesPointAtIt() {
        assertThat(ExitRouting.enableBatch("wg0", new TreeSet<>(Set.of("203.0.113.10/32"))))
                .isEqualTo("""
                        route replace default dev wg0 table 51820
                        route replace throw 203.0.113.10/32 table 51820
                        rule add pref 5270 lookup main suppress_prefixlength 0
                        rule add pref 5271 not fwmark 0xca6c lookup 51820
                        """);
    }

    @Test
    void enableUpdateAndCloseRestoreTheRoutingExactly() throws Exception {
        String before = ip.snapshot();
        routing.apply(Set.of("203.0.113.10/32", "198.51.100.31/32"));
        assertThat(routing.active()).isTrue();
        assertThat(ip.rules())
                .contains("5270 lookup main suppress_prefixlength 0", "5271 not fwmark 0xca6c lookup 51820");
        assertThat(ip.routes("51820"))
                .containsExactlyInAnyOrder("default dev wg0", "throw 203.0.113.10/32", "throw 198.51.100.31/32");

        // a peer moved: one bypass route goes, one comes; nothing else is touched
        ip.log.clear();
        routing.apply(Set.of("203.0.113.10/32", "198.51.100.99/32"));
        assertThat(ip.log)
                .containsExactly(
                        "route replace throw 198.51.100.99/32 table 51820",
                        "route del throw 198.51.100.31/32 table 51820");
        assertThat(routing.bypass()).containsExactly("198.51.100.99/32", "203.0.113.10/32");
        ip.log.clear();
        routing.apply(Set.of("203.0.113.10/32", "198.51.100.99/32"));
        assertThat(ip.log).isEmpty();

        routing.close();
        assertThat(routing.active()).isFalse();
        assertThat(ip.snapshot()).isEqualTo(before);
        routing.close(); // idempotent
        assertThat(ip.snapshot()).isEqualTo(before);
    }

    @Test
    void leftoversOfAKilledNexdAreReplacedNotDoubled() throws Exception {
        String before = ip.snapshot();
        ExitRouting crashed = new ExitRouting(ip, "wg0");
        crashed.apply(Set.of("203.0.113.10/32"));
        // that nexd was killed: its rules and table are still there; the next one starts over
        routing.apply(Set.of("203.0.113.20/32"));
        assertThat(ip.rules().stream().filter(r -> r.startsWith("527")).toList())
                .hasSize(2);
        assertThat(ip.routes("51820")).containsExactlyInAnyOrder("default dev wg0", "throw 203.0.113.20/32");
        routing.close();
        assertThat(ip.snapshot()).isEqualTo(before);
    }

    @Test
    void closeWhenTheRulesAreGoneAlreadyStillEmptiesTheTable() throws Exception {
        String before = ip.snapshot();
        routing.apply(Set.of());
        ip.run(List.of("ip", "-4", "rule", "del", "pref", "5271"), null); // an administrator removed one
        routing.close();
        assertThat(ip.snapshot()).isEqualTo(before);
    }
}
