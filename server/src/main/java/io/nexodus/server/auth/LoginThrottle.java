package io.nexodus.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Budgets of failed logins of the built-in identity provider, per account name and per source address, so a password
 * cannot be guessed at network speed. Each budget is a token bucket: a failed attempt takes a token, tokens come back
 * one per refill period up to the burst. While either budget of an attempt is empty, the attempt is refused before the
 * password is checked (answered 429 with {@code Retry-After}), so a guess made then tells nothing. A successful login
 * refills its account's budget (a user who mistyped twice is not punished later); the address budget is unchanged.
 *
 * <p>Memory is bounded: at most {@link #MAX_ENTRIES} budgets are kept; beyond that full budgets (nothing to remember)
 * are forgotten first, then arbitrary ones (an attacker spraying names from many addresses then loses some of its
 * own counting, never more than the per-address budget allows per address).
 */
public final class LoginThrottle {
    /** A budget: {@code burst} failures at once, one more every {@code refill}. */
    public record Limit(int burst, Duration refill) {}

    /** Per account: 5 failures, then one per minute (the owner locked out for a minute at most per failure). */
    public static final Limit PER_ACCOUNT = new Limit(5, Duration.ofMinutes(1));
    /** Per source address: 20 failures, then one every 15 s (a shared NAT of many users gets room). */
    public static final Limit PER_ADDRESS = new Limit(20, Duration.ofSeconds(15));

    static final int MAX_ENTRIES = 100_000;

    private final Clock clock;
    private final Limit perAccount;
    private final Limit perAddress;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this(clock, PER_ACCOUNT, PER_ADDRESS);
    }

    LoginThrottle(Clock clock, Limit perAccount, Limit perAddress) {
        this.clock = clock;
        this.perAccount = perAccount;
        this.perAddress = perAddress;
    }

    /** How long an attempt for {@code account} from {@code address} must wait, or empty when it may try now. */
    public Optional<Duration> refusal(String account, String address) {
        long now = clock.millis();
        long wait = Math.max(
                waitMillis(accountKey(account), perAccount, now), waitMillis(addressKey(address), perAddress, now));
        return wait <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
    }

    /** Records the outcome of an attempt that was checked. */
    public void record(String account, String address, boolean succeeded) {
        long now = clock.millis();
        if (succeeded) {
            buckets.remove(accountKey(account));
            return;
        }
        take(accountKey(account), perAccount, now);
        take(addressKey(address), perAddress, now);
    }

    private static String accountKey(String account) {
        return "a:" + (account == null ? "" : account.toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "i:" + (address == null ? "" : address);
    }

    private long waitMillis(String key, Limit limit, long now) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return 0;
        }
        synchronized (b) {
            b.refill(limit, now);
            return b.tokens >= 1 ? 0 : b.lastRefill + limit.refill().toMillis() - now;
        }
    }

    private void take(String key, Limit limit, long now) {
        if (buckets.size() >= MAX_ENTRIES) {
            shrink(now);
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(limit.burst(), now));
        synchronized (b) {
            b.refill(limit, now);
            b.tokens = Math.max(0, b.tokens - 1);
        }
    }

    private void shrink(long now) {
        buckets.entrySet().removeIf(e -> {
            Limit l = e.getKey().startsWith("a:") ? perAccount : perAddress;
            synchronized (e.getValue()) {
                e.getValue().refill(l, now);
                return e.getValue().tokens >= l.burst();
            }
        });
        if (buckets.size() >= MAX_ENTRIES) {
            Iterator<String> it = buckets.keySet().iterator();
            while (buckets.size() >= MAX_ENTRIES / 2 && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
    }

    int size() {
        return buckets.size();
    }

    private static final class Bucket {
        int tokens;
        long lastRefill;

        Bucket(int tokens, long now) {
            this.tokens = tokens;
            this.lastRefill = now;
        }

        void refill(Limit limit, long now) {
            long period = limit.refill().toMillis();
            long periods = (now - lastRefill) / period;
            if (periods > 0) {
                tokens = (int) Math.min(limit.burst(), tokens + periods);
                lastRefill = tokens >= limit.burst() ? now : lastRefill + periods * period;
            }
        }
    }
}
