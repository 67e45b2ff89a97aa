package io.nexodus.nexd.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.LoggerFactory;

/**
 * The client side of an exit node: IPv4 policy routing that sends this host's internet traffic into the tunnel, and
 * nothing that keeps the tunnel itself alive. Upstream's (and wg-quick's) layout, set with iproute2:
 *
 * <pre>
 * ip -4 rule add pref 5270 lookup main suppress_prefixlength 0     # every route of main but its default still wins
 * ip -4 rule add pref 5271 not fwmark 0xca6c lookup 51820          # the rest: table 51820, unless WireGuard sent it
 * ip -4 route add default dev wg0 table 51820
 * ip -4 route add throw 203.0.113.10/32 table 51820                # one per bypassed address: back to main
 * </pre>
 *
 * WireGuard's own UDP socket carries the mark {@link #MARK} (SO_MARK, set by the backend), so encrypted packets to
 * peers, STUN from the shared socket and the relay's UDP leave by the host's own default route. What nexd sends from
 * other sockets (the service's API and watch stream, DERP's TCP, STUN from a separate socket under wireguard-go) has
 * no mark: the addresses it talks to get a {@code throw} route, and so do the peers' endpoints (a backend whose mark
 * was refused still reaches them, and a strict reverse-path filter sees their packets come back the way they went).
 * <p>
 * Only this class touches rule preferences {@link #PREF_MAIN}/{@link #PREF_EXIT} and table {@link #TABLE}: they are
 * cleared of leftovers (a nexd that was killed) before they are set, and {@link #close()} deletes exactly the two rules
 * and empties the table, which leaves the routing of the host as it was before. Not thread-safe: one owner.
 */
public final class ExitRouting implements AutoCloseable {
    /** The routing table holding the default route into the tunnel (upstream's number, WireGuard's port). */
    public static final int TABLE = 51820;
    /** The mark WireGuard's socket puts on its packets (upstream's and wg-quick's choice: the table's number). */
    public static final int MARK = 51820;

    static final int PREF_MAIN = 5270;
    static final int PREF_EXIT = 5271;

    private final CommandRunner run;
    private final String iface;
    private final SortedSet<String> bypass = new TreeSet<>();
    private boolean active;

    public ExitRouting(CommandRunner run, String iface) {
        this.run = run;
        this.iface = iface;
    }

    /** Whether the rules are in place. */
    public boolean active() {
        return active;
    }

    /** The addresses ({@code a.b.c.d/32}) that bypass the tunnel now. */
    public SortedSet<String> bypass() {
        return new TreeSet<>(bypass);
    }

    /**
     * Routes the host's IPv4 traffic into the tunnel but for {@code bypassed} ({@code /32} CIDRs); when the rules are
     * in place already, only the bypass routes that changed are added or deleted.
     */
    public void apply(Set<String> bypassed) throws NetConfigException {
        if (!active) {
            clearLeftovers();
            active = true; // from here on close() undoes, also if the batch fails half way
            bypass.addAll(bypassed);
            run.run(List.of("ip", "-4", "-batch", "-"), enableBatch(iface, bypass));
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String c : bypassed) {
            if (!bypass.contains(c)) {
                b.append("route replace throw ")
                        .append(c)
                        .append(" table ")
                        .append(TABLE)
                        .append('\n');
            }
        }
        for (String c : bypass) {
            if (!bypassed.contains(c)) {
                b.append("route del throw ")
                        .append(c)
                        .append(" table ")
                        .append(TABLE)
                        .append('\n');
            }
        }
        bypass.clear();
        bypass.addAll(bypassed);
        if (!b.isEmpty()) {
            run.run(List.of("ip", "-4", "-batch", "-"), b.toString());
        }
    }

    /** The table's routes first, then the rules: lookups never reach a half-filled table. */
    static String enableBatch(String iface, Set<String> bypass) {
        StringBuilder b = new StringBuilder();
        b.append("route replace default dev ")
                .append(iface)
                .append(" table ")
                .append(TABLE)
                .append('\n');
        for (String c : bypass) {
            b.append("route replace throw ")
                    .append(c)
                    .append(" table ")
                    .append(TABLE)
                    .append('\n');
        }
        b.append(mainRule("add")).append('\n');
        b.append(exitRule("add")).append('\n');
        return b.toString();
    }

    static String mainRule(String verb) {
        return String.join(" ", mainRuleArgs(verb));
    }

    static String exitRule(String verb) {
        return String.join(" ", exitRuleArgs(verb));
    }

    private static List<String> mainRuleArgs(String verb) {
        return List.of(
                "rule", verb, "pref", Integer.toString(PREF_MAIN), "lookup", "main", "suppress_prefixlength", "0");
    }

    private static List<String> exitRuleArgs(String verb) {
        return List.of(
                "rule",
                verb,
                "pref",
                Integer.toString(PREF_EXIT),
                "not",
                "fwmark",
                "0x" + Integer.toHexString(MARK),
                "lookup",
                Integer.toString(TABLE));
    }

    /** Rules at our preferences and routes in our table left by a nexd that did not stop cleanly. */
    private void clearLeftovers() {
        for (int pref : new int[] {PREF_MAIN, PREF_EXIT}) {
            for (int i = 0; i < 8; i++) {
                if (!quietly(List.of("ip", "-4", "rule", "del", "pref", Integer.toString(pref)))) {
                    break;
                }
            }
        }
        quietly(List.of("ip", "-4", "route", "flush", "table", Integer.toString(TABLE)));
    }

    private boolean quietly(List<String> argv) {
        try {
            run.run(argv, null);
            return true;
        } catch (NetConfigException e) {
            return false;
        }
    }

    /** Deletes the two rules and every route of the table; what fails is gone already. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        active = false;
        List<String> failed = new ArrayList<>();
        for (List<String> rule : List.of(exitRuleArgs("del"), mainRuleArgs("del"))) {
            List<String> argv = new ArrayList<>(List.of("ip", "-4"));
            argv.addAll(rule);
            if (!quietly(argv)) {
                failed.add(String.join(" ", rule));
            }
        }
        quietly(List.of("ip", "-4", "route", "flush", "table", Integer.toString(TABLE)));
        bypass.clear();
        if (!failed.isEmpty()) {
            LoggerFactory.getLogger(ExitRouting.class).debug("exit node routing: already gone: {}", failed);
        }
    }
}
