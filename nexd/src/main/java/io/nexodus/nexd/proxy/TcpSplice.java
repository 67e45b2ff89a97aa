package io.nexodus.nexd.proxy;

import io.nexodus.netstack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Joins two TCP connections, one on the userspace stack and one of the host, in both directions. Each direction is
 * copied by one virtual thread through a buffer of fixed size, so a slow side holds back the other by TCP's own flow
 * control and memory stays bounded. End of stream on one side becomes a half-close (FIN) on the other, so protocols
 * that shut down their sending side and keep reading work; when both directions have ended, both connections are
 * closed. An error in either direction resets both.
 */
final class TcpSplice {
    static final int BUFFER = 64 * 1024;

    /** One of the two connections. */
    interface Side {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        void shutdownOutput() throws IOException;

        void close();

        /** Ends the connection with a reset. */
        void abort();
    }

    private TcpSplice() {}

    static Side of(TcpSocket s) {
        return new Side() {
            @Override
            public InputStream in() {
                return s.getInputStream();
            }

            @Override
            public OutputStream out() {
                return s.getOutputStream();
            }

            @Override
            public void shutdownOutput() {
                s.shutdownOutput();
            }

            @Override
            public void close() {
                s.close();
            }

            @Override
            public void abort() {
                s.abort();
            }
        };
    }

    static Side of(Socket s) {
        return new Side() {
            @Override
            public InputStream in() throws IOException {
                return s.getInputStream();
            }

            @Override
            public OutputStream out() throws IOException {
                return s.getOutputStream();
            }

            @Override
            public void shutdownOutput() throws IOException {
                s.shutdownOutput();
            }

            @Override
            public void close() {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing: nothing left to do
                }
            }

            @Override
            public void abort() {
                try {
                    s.setSoLinger(true, 0); // close with RST
                } catch (IOException e) {
                    // already closed
                }
                close();
            }
        };
    }

    /**
     * Copies {@code a → b} on a new virtual thread and {@code b → a} on the calling thread; returns when both
     * directions have ended and both connections are closed. {@code bytes} counts what was forwarded.
     */
    static void run(Side a, Side b, AtomicLong bytes) {
        AtomicBoolean failed = new AtomicBoolean();
        Thread other = Thread.ofVirtual().name("nexd-proxy-tcp").start(() -> copy(a, b, failed, bytes));
        copy(b, a, failed, bytes);
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.set(true);
        }
        if (failed.get()) {
            a.abort();
            b.abort();
        } else {
            a.close();
            b.close();
        }
    }

    private static void copy(Side from, Side to, AtomicBoolean failed, AtomicLong bytes) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = from.in();
            OutputStream out = to.out();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0) {
                    out.write(buf, 0, n);
                    bytes.addAndGet(n);
                }
            }
            out.flush();
            to.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            // one side broke: reset both, which also ends the other direction's blocked read
            if (failed.compareAndSet(false, true)) {
                from.abort();
                to.abort();
            }
        }
    }
}
