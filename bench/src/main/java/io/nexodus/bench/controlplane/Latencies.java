package io.nexodus.bench.controlplane;

import java.util.Arrays;

/** Order statistics of a set of durations (nearest-rank percentiles), in milliseconds for printing. */
record Latencies(int count, double p50Ms, double p99Ms, double maxMs, double minMs) {

    static Latencies ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return new Latencies(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Latencies(s.length, ms(rank(s, 0.50)), ms(rank(s, 0.99)), ms(s[s.length - 1]), ms(s[0]));
    }

    /** Nearest-rank percentile: the smallest value with at least {@code q} of the samples at or below it. */
    static long rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    String describe() {
        if (count == 0) {
            return "no samples";
        }
        return String.format("p50 %s ms, p99 %s ms, max %s ms (n=%d)", fmt(p50Ms), fmt(p99Ms), fmt(maxMs), count);
    }

    static String fmt(double ms) {
        return Math.abs(ms) >= 100
                ? String.format("%.0f", ms)
                : Math.abs(ms) >= 10 ? String.format("%.1f", ms) : String.format("%.2f", ms);
    }
}
