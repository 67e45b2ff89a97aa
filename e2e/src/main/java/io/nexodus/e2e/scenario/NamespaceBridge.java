package io.nexodus.e2e.scenario;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP port on the test JVM's loopback that leads to an address inside a lab namespace: how a scenario (or the
 * playground) calls the service's API from the root namespace without putting anything of the lab there. The
 * listening socket lives in our namespace; outgoing connections are opened by one platform thread that has joined
 * the lab namespace with {@code setns(2)} (a socket keeps the namespace it was created in), and bytes are pumped by
 * virtual threads.
 */
public final class NamespaceBridge implements AutoCloseable {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;
    private static final MethodHandle CLOSE;

    static {
        OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
        SETNS = libc("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /**
     * A handle on a libc function. Restricted by the JDK because a descriptor that does not match the C signature can
     * crash the JVM; calling libc is deliberate here (the JDK has no setns), and the three signatures are those of
     * open(2), setns(2) and close(2).
     */
    @SuppressWarnings("restricted")
    private static MethodHandle libc(String name, FunctionDescriptor signature, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup symbols = linker.defaultLookup();
        return linker.downcallHandle(symbols.find(name).orElseThrow(), signature, options);
    }

    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final BlockingQueue<CompletableFuture<SocketChannel>> dials = new LinkedBlockingQueue<>();
    private final Thread dialer;
    private volatile boolean closed;

    private NamespaceBridge(String namespace, InetSocketAddress target) throws IOException {
        this.target = target;
        CompletableFuture<Void> joined = new CompletableFuture<>();
        this.dialer =
                Thread.ofPlatform().daemon(true).name("bridge-" + namespace).start(() -> dialLoop(namespace, joined));
        try {
            joined.join();
        } catch (RuntimeException e) {
            throw new IOException("cannot enter network namespace " + namespace + ": " + e.getCause(), e);
        }
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("bridge-accept").start(this::acceptLoop);
    }

    /** Opens a bridge from {@code 127.0.0.1:<port()>} here to {@code target} inside {@code namespace}. */
    public static NamespaceBridge open(String namespace, InetSocketAddress target) throws IOException {
        return new NamespaceBridge(namespace, target);
    }

    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void dialLoop(String namespace, CompletableFuture<Void> joined) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + namespace), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                joined.completeExceptionally(new IOException("open /var/run/netns/" + namespace + " failed"));
                return;
            }
            int r = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (r != 0) {
                joined.completeExceptionally(new IOException("setns failed (root needed)"));
                return;
            }
        } catch (Throwable t) {
            joined.completeExceptionally(t);
            return;
        }
        joined.complete(null);
        while (!closed) {
            CompletableFuture<SocketChannel> request;
            try {
                request = dials.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                request.complete(SocketChannel.open(target));
            } catch (IOException | RuntimeException e) {
                request.completeExceptionally(e);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().name("bridge-conn").start(() -> serve(client));
        }
    }

    private void serve(SocketChannel client) {
        CompletableFuture<SocketChannel> f = new CompletableFuture<>();
        dials.add(f);
        SocketChannel upstream;
        try {
            upstream = f.join();
        } catch (RuntimeException e) {
            closeQuietly(client);
            return;
        }
        Thread back = Thread.ofVirtual().start(() -> pump(upstream, client));
        pump(client, upstream);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(client);
        closeQuietly(upstream);
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dialer.interrupt();
    }
}
