package io.nexodus.nexd.proxy;

import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.netstack.NetStack;
import io.nexodus.nexd.state.ProxyRulesConfig;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of {@code nexd proxy} and their forwarders. Rules come from the command line ({@code --ingress},
 * {@code --egress}) and from the state file, where {@link #add} keeps what {@code nexctl nexd proxy add} adds (and
 * {@link #remove} takes it out again), so a restart keeps them; command-line rules are not stored (the command line
 * brings them back). Two rules may not listen on the same direction, protocol and port.
 * <p>
 * Forwarders run once a stack is attached ({@link #attach}, after registration gave this device its tunnel address);
 * a rule whose listener cannot open then (an egress port taken on the host) stays listed with the reason. Methods are
 * called from the agent's start-up and from control-socket threads: they are synchronized.
 */
public final class UserspaceProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UserspaceProxy.class);
    /** Upstream's idle timeout of a UDP flow. */
    public static final Duration UDP_IDLE = Duration.ofMinutes(1);

    private final StateStore store;
    private final Duration udpIdle;
    private final Map<ProxyRule, Forwarder> running = new LinkedHashMap<>();
    /** Every rule, in the order added; the value is why it is not running (null: running, or no stack yet). */
    private final Map<ProxyRule, String> rules = new LinkedHashMap<>();

    private NetStack stack;
    private boolean closed;

    /**
     * @param flagRules the command line's rules (checked for conflicts here: a conflict is an
     *                  {@link IllegalArgumentException} for the user)
     * @param store     the state file holding rules added at run time
     */
    public UserspaceProxy(List<ProxyRule> flagRules, StateStore store, Duration udpIdle) throws StateException {
        this.store = store;
        this.udpIdle = udpIdle;
        for (ProxyRule r : flagRules) {
            checkFree(r);
            rules.put(r, null);
        }
        ProxyRulesConfig stored = store.load().proxyRules();
        for (ProxyDirection d : ProxyDirection.values()) {
            for (String text : d == ProxyDirection.INGRESS ? stored.ingress() : stored.egress()) {
                ProxyRule r;
                try {
                    r = ProxyRule.parse(d, text);
                } catch (IllegalArgumentException e) {
                    log.warn("ignoring a stored proxy rule: {}", e.getMessage());
                    continue;
                }
                if (rules.containsKey(r)) {
                    continue;
                }
                Optional<ProxyRule> clash = clash(r);
                if (clash.isPresent()) {
                    log.warn("ignoring the stored proxy rule {}: {} listens on the same port", r, clash.get());
                    continue;
                }
                rules.put(r, null);
            }
        }
    }

    /**
     * Starts every rule's forwarder on {@code newStack} (stopping those of an earlier stack, whose connections the
     * stack's replacement ended anyway). Rules that cannot listen are logged and listed with the reason.
     */
    public synchronized void attach(NetStack newStack) {
        if (closed) {
            return;
        }
        running.values().forEach(Forwarder::close);
        running.clear();
        stack = newStack;
        for (Map.Entry<ProxyRule, String> e : rules.entrySet()) {
            try {
                startLocked(e.getKey());
                e.setValue(null);
            } catch (IOException ex) {
                e.setValue(ex.getMessage());
                log.error("proxy rule {} is not active: {}", e.getKey(), ex.getMessage());
            }
        }
        log.info("proxy: {} of {} rules active", running.size(), rules.size());
    }

    private void startLocked(ProxyRule r) throws IOException {
        Forwarder f = Forwarder.create(r, stack, udpIdle);
        f.start();
        running.put(r, f);
        log.info("proxy rule {} active", r);
    }

    /** {@code nexctl nexd proxy add}: starts the rule (once a stack runs) and stores it. */
    public synchronized String add(ProxyDirection direction, String text) {
        ProxyRule r = ProxyRule.parse(direction, text);
        if (rules.containsKey(r)) {
            throw new IllegalArgumentException("the " + kind(r) + " rule " + r.text() + " exists already");
        }
        checkFree(r);
        if (closed) {
            throw new IllegalStateException("nexd is stopping");
        }
        if (stack != null) {
            try {
                startLocked(r);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        rules.put(r, null);
        try {
            store.update(s -> s.withProxyRules(withRule(s.proxyRules(), r, true)));
        } catch (StateException e) {
            log.warn("proxy rule {} is active but not stored: {}", r, e.getMessage());
            return "Added " + kind(r) + " proxy rule: " + r.text() + " (not stored: " + e.getMessage() + ")";
        }
        return "Added " + kind(r) + " proxy rule: " + r.text();
    }

    /** {@code nexctl nexd proxy remove}: stops the rule (resetting its connections) and removes it from the state. */
    public synchronized String remove(ProxyDirection direction, String text) {
        ProxyRule r = ProxyRule.parse(direction, text);
        if (!rules.containsKey(r)) {
            throw new IllegalArgumentException("no " + kind(r) + " rule " + r.text());
        }
        rules.remove(r);
        Forwarder f = running.remove(r);
        if (f != null) {
            f.close();
        }
        try {
            store.update(s -> s.withProxyRules(withRule(s.proxyRules(), r, false)));
        } catch (StateException e) {
            log.warn("proxy rule {} stopped but still stored: {}", r, e.getMessage());
            return "Removed " + kind(r) + " proxy rule: " + r.text() + " (still stored: " + e.getMessage() + ")";
        }
        return "Removed " + kind(r) + " proxy rule: " + r.text();
    }

    /** {@code nexctl nexd proxy list}: {@code --ingress tcp:80:127.0.0.1:8080}, with the reason for rules not active. */
    public synchronized List<String> list() {
        List<String> out = new ArrayList<>();
        rules.forEach((r, why) -> out.add(r.flagForm() + (why == null ? "" : "  (not active: " + why + ")")));
        return out;
    }

    /** The rules now (for tests and the log). */
    public synchronized List<ProxyRule> rules() {
        return List.copyOf(rules.keySet());
    }

    /** One line per rule for {@code nexctl nexd status}: its counters, or why it does not run. */
    public synchronized List<String> statusLines() {
        List<String> out = new ArrayList<>();
        out.add("proxy mode (userspace network stack, no tunnel interface): " + rules.size() + " rule"
                + (rules.size() == 1 ? "" : "s"));
        rules.forEach((r, why) -> {
            Forwarder f = running.get(r);
            out.add("  " + r.flagForm() + ": "
                    + (f != null ? f.counters() : why != null ? "not active: " + why : "waiting for the tunnel"));
        });
        return out;
    }

    private void checkFree(ProxyRule r) {
        clash(r).ifPresent(c -> {
            throw new IllegalArgumentException(
                    kind(r) + " rule " + r.text() + " listens on the same port as " + c + "; remove that one first");
        });
    }

    private Optional<ProxyRule> clash(ProxyRule r) {
        return rules.keySet().stream().filter(r::sameListener).findFirst();
    }

    private static String kind(ProxyRule r) {
        return r.direction().name().toLowerCase(Locale.ROOT);
    }

    private static ProxyRulesConfig withRule(ProxyRulesConfig c, ProxyRule r, boolean add) {
        List<String> in = new ArrayList<>(c.ingress());
        List<String> eg = new ArrayList<>(c.egress());
        List<String> list = r.direction() == ProxyDirection.INGRESS ? in : eg;
        // compare parsed, so "TCP:80:..." stored by hand matches too
        list.removeIf(t -> {
            try {
                return ProxyRule.parse(r.direction(), t).equals(r);
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
        if (add) {
            list.add(r.text());
        }
        return new ProxyRulesConfig(eg, in);
    }

    /** Stops every forwarder. */
    @Override
    public synchronized void close() {
        closed = true;
        running.values().forEach(Forwarder::close);
        running.clear();
    }
}
