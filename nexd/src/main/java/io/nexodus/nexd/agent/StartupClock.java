package io.nexodus.nexd.agent;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Where start-up time goes, for the log line that says the agent runs (and for the timing benchmark): JVM start to
 * {@code main}, then each step.
 */
final class StartupClock {
    private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final long beganMillis = System.currentTimeMillis();
    private long lastNanos = System.nanoTime();
    private final List<String> steps = new ArrayList<>();

    void mark(String step) {
        long now = System.nanoTime();
        steps.add(step + " " + (now - lastNanos) / 1_000_000);
        lastNanos = now;
    }

    String summary() {
        long total = System.currentTimeMillis() - jvmStartMillis;
        return "up " + total + " ms after JVM start: jvm+main " + (beganMillis - jvmStartMillis) + ", "
                + String.join(", ", steps) + "; process CPU " + processCpuMillis() + " ms";
    }

    /** CPU time of the whole process so far (all threads, JIT included): start-up cost independent of machine load. */
    static long processCpuMillis() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1_000_000;
        }
        return -1;
    }
}
