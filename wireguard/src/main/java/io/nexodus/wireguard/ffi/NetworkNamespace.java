package io.nexodus.wireguard.ffi;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A handle on the network namespace of the thread that made it. Linux keeps the network namespace per thread, and a
 * socket belongs for life to the namespace it was created in; a process started in a namespace (wireguard-go) creates
 * every socket there, but a JVM may have threads in several. So a UDP bind remembers where it was born and creates
 * later sockets (a listen-port change arriving on a UAPI thread) there too, on a short-lived thread that joins the
 * namespace with {@code setns(2)}.
 */
public final class NetworkNamespace {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Path SELF = Path.of("/proc/thread-self/ns/net");

    private final int fd;
    private final String id;

    private NetworkNamespace(int fd, String id) {
        this.fd = fd;
        this.id = id;
        CLEANER.register(this, () -> Libc.close(fd));
    }

    /** The calling thread's network namespace (or null where /proc cannot tell, e.g. not Linux). */
    public static NetworkNamespace current() {
        String id = currentId();
        if (id == null) {
            return null;
        }
        int fd = Libc.open(SELF.toString(), Libc.O_CLOEXEC);
        return fd < 0 ? null : new NetworkNamespace(fd, id);
    }

    private static String currentId() {
        try {
            return Files.readSymbolicLink(SELF).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Runs {@code body} in this namespace: directly if the calling thread is already in it. */
    public <T> T call(Callable<T> body) throws Exception {
        if (id.equals(currentId())) {
            return body.call();
        }
        FutureTask<T> task = new FutureTask<>(() -> {
            int r = Libc.setns(fd, Libc.CLONE_NEWNET);
            if (r < 0) {
                throw Libc.error("setns into the bind's network namespace", r);
            }
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + id).start(task);
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

    @Override
    public String toString() {
        return id;
    }
}
