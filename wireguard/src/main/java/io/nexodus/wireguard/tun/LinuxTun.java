package io.nexodus.wireguard.tun;

import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.ffi.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux TUN interface through FFM: {@code open("/dev/net/tun")}, {@code ioctl(TUNSETIFF, IFF_TUN|IFF_NO_PI)}, MTU
 * with {@code SIOCSIFMTU}. The descriptor is non-blocking: reads and writes go straight to and from the heap arrays of
 * a {@link PacketBatch} (critical FFM calls, no copy), and a reader with nothing to read waits in {@code poll} on the
 * TUN and an eventfd that {@link #close()} signals. Deleting the interface ({@code ip link del}) makes reads fail
 * with EBADFD, which {@link #read} reports as -1.
 * <p>
 * The interface may be moved to another network namespace after creation; the descriptor keeps working.
 */
public final class LinuxTun implements Tun {
    static final long TUNSETIFF = 0x400454caL;
    static final long SIOCSIFMTU = 0x8922L;
    static final long SIOCGIFMTU = 0x8921L;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;

    private final int fd;
    private final int eventFd;
    private final String name;
    private final int mtu;
    private final MemorySegment pollfds;
    private final java.util.concurrent.locks.ReentrantReadWriteLock fdLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;

    private LinuxTun(int fd, int eventFd, String name, int mtu) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.name = name;
        this.mtu = mtu;
        this.pollfds = Arena.ofAuto().allocate(16, 8);
        pollfds.set(JAVA_INT, 0, fd);
        pollfds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollfds.set(JAVA_INT, 8, eventFd);
        pollfds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    /**
     * Creates the interface {@code name} (at most 15 bytes; {@code "wg%d"} lets the kernel pick a number) with the
     * given MTU, in the calling thread's network namespace. Needs CAP_NET_ADMIN.
     */
    public static LinuxTun create(String name, int mtu) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ || name.contains("/") || name.isBlank()) {
            throw new IOException("interface name must be 1-15 characters without '/': " + name);
        }
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (fd < 0) {
            throw Libc.error("open /dev/net/tun", fd);
        }
        int eventFd = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(nameBytes, 0, ifr, JAVA_BYTE, 0, nameBytes.length);
            ifr.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI));
            int r = Libc.ioctl(fd, TUNSETIFF, ifr);
            if (r < 0) {
                throw Libc.error("TUNSETIFF " + name, r);
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            setMtu(actual, mtu);
            eventFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (eventFd < 0) {
                throw Libc.error("eventfd", eventFd);
            }
            return new LinuxTun(fd, eventFd, actual, mtu);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            if (eventFd >= 0) {
                Libc.close(eventFd);
            }
            throw e;
        }
    }

    private static void setMtu(String name, int mtu) throws IOException {
        int sock = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            throw Libc.error("socket for SIOCSIFMTU", sock);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, JAVA_BYTE, 0, n.length);
            ifr.set(JAVA_INT, IFNAMSIZ, mtu);
            int r = Libc.ioctl(sock, SIOCSIFMTU, ifr);
            if (r < 0) {
                throw Libc.error("SIOCSIFMTU " + name + " " + mtu, r);
            }
        } finally {
            Libc.close(sock);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int read(PacketBatch batch) throws IOException {
        fdLock.readLock().lock();
        try {
            return readLocked(batch);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    private int readLocked(PacketBatch batch) throws IOException {
        int n = 0;
        int cap = batch.capacity();
        while (n < cap) {
            if (closed) {
                return -1;
            }
            MemorySegment seg = batch.segment(n);
            long r = Libc.read(fd, seg.asSlice(PacketBatch.HEADROOM), seg.byteSize() - PacketBatch.HEADROOM
                    - 16 - 16); // room for padding and the tag after the packet
            if (r >= 0) {
                if (r > 0) {
                    batch.set(n, PacketBatch.HEADROOM, (int) r, null);
                    n++;
                }
                continue;
            }
            if (r == -Libc.EAGAIN) {
                if (n > 0) {
                    break;
                }
                pollfds.set(JAVA_SHORT, 6, (short) 0);
                pollfds.set(JAVA_SHORT, 14, (short) 0);
                int p = Libc.poll(pollfds, 2, -1);
                if (p < 0 && p != -Libc.EINTR) {
                    throw Libc.error("poll on TUN", p);
                }
                if (pollfds.get(JAVA_SHORT, 14) != 0) {
                    return -1; // close() signalled
                }
                continue;
            }
            if (r == -Libc.EINTR) {
                continue;
            }
            if (r == -Libc.EBADFD || r == -Libc.EBADF || r == -Libc.EIO) {
                return n > 0 ? finish(batch, n) : -1; // interface deleted
            }
            throw Libc.error("read from TUN " + name, r);
        }
        return finish(batch, n);
    }

    private static int finish(PacketBatch batch, int n) {
        batch.count(n);
        return n;
    }

    @Override
    public void write(PacketBatch batch) throws IOException {
        fdLock.readLock().lock();
        try {
            if (!closed) {
                writeLocked(batch);
            }
        } finally {
            fdLock.readLock().unlock();
        }
    }

    private void writeLocked(PacketBatch batch) throws IOException {
        for (int i = 0; i < batch.count(); i++) {
            int len = batch.length(i);
            if (len <= 0) {
                continue;
            }
            long r;
            do {
                r = Libc.write(fd, batch.segment(i).asSlice(batch.offset(i), len), len);
            } while (r == -Libc.EINTR);
            if (r < 0 && r != -Libc.EAGAIN && r != -Libc.EINVAL) {
                if (closed) {
                    return;
                }
                throw Libc.error("write to TUN " + name, r);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            Libc.write(eventFd, one, 8);
        }
        // The reader leaves poll when the eventfd fires; only then do the descriptors go away, so no thread ever
        // uses a descriptor number the process has reused.
        fdLock.writeLock().lock();
        try {
            Libc.close(fd);
            Libc.close(eventFd);
        } finally {
            fdLock.writeLock().unlock();
        }
    }
}
