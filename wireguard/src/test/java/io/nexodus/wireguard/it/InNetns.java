package io.nexodus.wireguard.it;

import io.nexodus.wireguard.ffi.Libc;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code on a fresh platform thread that has joined a network namespace with {@code setns(2)}. Sockets and TUN
 * devices created there belong to that namespace for life, whatever thread uses them later: this is how a test JVM
 * running in the root namespace gets its UDP sockets into a test namespace ("birthplace", wireguard-go's netns.sh
 * trick) without touching the root namespace's network.
 */
public final class InNetns {
    private InNetns() {}

    public static <T> T call(String netns, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = Libc.open("/var/run/netns/" + netns, Libc.O_CLOEXEC);
            if (fd < 0) {
                throw Libc.error("open netns " + netns, fd);
            }
            try {
                int r = Libc.setns(fd, Libc.CLONE_NEWNET);
                if (r < 0) {
                    throw Libc.error("setns " + netns, r);
                }
            } finally {
                Libc.close(fd);
            }
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-netns-" + netns).start(task);
        t.join();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
