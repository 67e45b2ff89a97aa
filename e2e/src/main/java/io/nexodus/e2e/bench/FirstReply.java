package io.nexodus.e2e.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;

/**
 * Probes an address with ICMP echo (as root: {@code InetAddress.isReachable}) every 10 ms until it answers, then
 * prints {@code reply <epoch-millis>} and exits. Prints {@code ready} first, so a caller can start what it times after
 * this JVM is up. Used by {@link NexdTimings} for "time to the first packet through the tunnel".
 *
 * <pre>FirstReply ADDRESS TIMEOUT-SECONDS</pre>
 */
public final class FirstReply {
    private FirstReply() {}

    public static void main(String[] args) throws Exception {
        InetAddress target = InetAddress.getByName(args[0]);
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        target.isReachable(1); // load the classes before saying ready
        System.out.println("ready");
        System.out.flush();
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            boolean ok;
            try {
                ok = target.isReachable(50);
            } catch (IOException e) {
                ok = false; // no route yet: the tunnel interface is not there
            }
            if (ok) {
                System.out.println("reply " + Instant.now().toEpochMilli());
                System.out.flush();
                return;
            }
            long spent = (System.nanoTime() - t0) / 1_000_000;
            if (spent < 10) {
                Thread.sleep(10 - spent);
            }
        }
        System.out.println("timeout");
        System.exit(1);
    }
}
