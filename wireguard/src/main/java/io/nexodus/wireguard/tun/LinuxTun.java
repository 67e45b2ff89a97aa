package io.nexodus.wireguard.tun;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.ffi.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Linux TUN interface through FFM: {@code open("/dev/net/tun")}, {@code ioctl(TUNSETIFF, IFF_TUN|IFF_NO_PI)}, MTU
 * with {@code SIOCSIFMTU}.
 * <p>
 * Offloads: where the kernel accepts them, the interface is opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD(CSUM|TSO4|TSO6)}, so a read can return a TCP super-packet of up to 64 KiB, which {@link #read}
 * cuts into segments (see {@link Offload}); {@link #write} glues consecutive segments of one TCP flow back together.
 * That turns forty system calls and forty trips through the kernel's TCP stack into one. Without offloads every
 * read and write is one packet.
 * <p>
 * The descriptor is non-blocking: reads and writes go straight to and from the heap arrays of a {@link PacketBatch}
 * (critical FFM calls, no copy), and a reader with nothing to read waits in {@code poll} on the TUN and an eventfd that
 * {@link #close()} signals. Deleting the interface ({@code ip link del}) makes reads fail with EBADFD, which
 * {@link #read} reports as -1. The interface may move to another network namespace; the descriptor keeps working.
 * {@link #read} is for one thread; {@link #write} may be called from several.
 */
public final class LinuxTun implements Tun {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long SIOCSIFMTU = 0x8922L;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    /** A super-packet (64 KiB) plus the virtio header; what a buffer for {@link #read} must hold after its headroom. */
    public static final int MAX_READ = 65535 + Offload.VNET_HDR_LEN;

    private final int fd;
    private final int eventFd;
    private final String name;
    private final int mtu;
    private final boolean vnetHdr;
    private final MemorySegment pollfds;
    private final ReentrantReadWriteLock fdLock = new ReentrantReadWriteLock();
    private final ThreadLocal<byte[]> coalesceBuffers = ThreadLocal.withInitial(() -> new byte[MAX_READ + 16]);
    private volatile boolean closed;

    // A TCP super-packet being cut into segments across read() calls (reader thread only).
    private byte[] pending;
    private Offload.TcpLayout pendingLayout;
    private int pendingLen;
    private int pendingGso;
    private int pendingNext;
    private int pendingCount;
    private byte[] spare = new byte[0];

    private LinuxTun(int fd, int eventFd, String name, int mtu, boolean vnetHdr) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.name = name;
        this.mtu = mtu;
        this.vnetHdr = vnetHdr;
        this.pollfds = Arena.ofAuto().allocate(16, 8);
        pollfds.set(JAVA_INT, 0, fd);
        pollfds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollfds.set(JAVA_INT, 8, eventFd);
        pollfds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    /**
     * Creates the interface {@code name} (at most 15 bytes; {@code "wg%d"} lets the kernel pick a number) with the
     * given MTU, in the calling thread's network namespace, with offloads where possible. Needs CAP_NET_ADMIN.
     */
    public static LinuxTun create(String name, int mtu) throws IOException {
        return create(name, mtu, !"0".equals(System.getenv("NEXODUS_WG_TUN_OFFLOAD")));
    }

    /** As {@link #create(String, int)}, choosing whether to try offloads. */
    public static LinuxTun create(String name, int mtu, boolean offload) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ || name.contains("/") || name.isBlank()) {
            throw new IOException("interface name must be 1-15 characters without '/': " + name);
        }
        if (offload) {
            try {
                return open(nameBytes, mtu, true);
            } catch (IOException e) {
                // the kernel refused the offloads: fall back to one packet per call
            }
        }
        return open(nameBytes, mtu, false);
    }

    private static LinuxTun open(byte[] nameBytes, int mtu, boolean vnet) throws IOException {
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (fd < 0) {
            throw Libc.error("open /dev/net/tun", fd);
        }
        int eventFd = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(nameBytes, 0, ifr, JAVA_BYTE, 0, nameBytes.length);
            ifr.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0)));
            int r = Libc.ioctl(fd, TUNSETIFF, ifr);
            if (r < 0) {
                throw Libc.error("TUNSETIFF " + new String(nameBytes, StandardCharsets.US_ASCII), r);
            }
            if (vnet) {
                r = Libc.ioctlValue(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
                if (r < 0) {
                    throw Libc.error("TUNSETOFFLOAD", r);
                }
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            setMtu(actual, mtu);
            eventFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (eventFd < 0) {
                throw Libc.error("eventfd", eventFd);
            }
            return new LinuxTun(fd, eventFd, actual, mtu, vnet);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd); // the interface disappears with its only descriptor
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

    /** True if the kernel accepted {@code IFF_VNET_HDR} and TCP segmentation offload. */
    public boolean offloads() {
        return vnetHdr;
    }

    // ---------------------------------------------------------------------------------------------- read

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (batch.bufferSize() < PacketBatch.HEADROOM + MAX_READ + 32) {
            throw new IllegalArgumentException("TUN read buffers must hold " + (PacketBatch.HEADROOM + MAX_READ + 32));
        }
        fdLock.readLock().lock();
        try {
            return vnetHdr ? readVnet(batch) : readPlain(batch);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /** Reads one packet into {@code seg} at {@code at}; returns its length, 0 if none is ready, -1 if gone. */
    private long readOne(MemorySegment seg, int at) throws IOException {
        while (true) {
            long r = Libc.read(fd, seg.asSlice(at), MAX_READ);
            if (r >= 0 || r == -Libc.EAGAIN) {
                return r >= 0 ? r : 0;
            }
            if (r == -Libc.EINTR) {
                continue;
            }
            if (r == -Libc.EBADFD || r == -Libc.EBADF || r == -Libc.EIO) {
                return -1; // the interface was deleted
            }
            throw Libc.error("read from TUN " + name, r);
        }
    }

    /** Waits until the TUN is readable; false if {@link #close()} was called. */
    private boolean await() throws IOException {
        pollfds.set(JAVA_SHORT, 6, (short) 0);
        pollfds.set(JAVA_SHORT, 14, (short) 0);
        int p = Libc.poll(pollfds, 2, -1);
        if (p < 0 && p != -Libc.EINTR) {
            throw Libc.error("poll on TUN", p);
        }
        return pollfds.get(JAVA_SHORT, 14) == 0 && !closed;
    }

    private int readPlain(PacketBatch batch) throws IOException {
        int n = 0;
        while (n < batch.capacity()) {
            if (closed) {
                return -1;
            }
            long r = readOne(batch.segment(n), PacketBatch.HEADROOM);
            if (r < 0) {
                return finish(batch, n, true);
            }
            if (r == 0) {
                if (n > 0) {
                    break;
                }
                if (!await()) {
                    return -1;
                }
                continue;
            }
            batch.set(n, PacketBatch.HEADROOM, (int) r, null);
            n++;
        }
        return finish(batch, n, false);
    }

    private int readVnet(PacketBatch batch) throws IOException {
        int n = emitPending(batch, 0);
        int cap = batch.capacity();
        int hdrAt = PacketBatch.HEADROOM - Offload.VNET_HDR_LEN;
        while (n < cap) {
            if (closed) {
                return -1;
            }
            long r = readOne(batch.segment(n), hdrAt);
            if (r < 0) {
                return finish(batch, n, true);
            }
            if (r == 0) {
                if (n > 0) {
                    break;
                }
                if (!await()) {
                    return -1;
                }
                continue;
            }
            if (r <= Offload.VNET_HDR_LEN) {
                continue;
            }
            byte[] b = batch.buffer(n);
            int len = (int) r - Offload.VNET_HDR_LEN;
            int pkt = PacketBatch.HEADROOM;
            int flags = b[hdrAt] & 0xff;
            int gsoType = b[hdrAt + 1] & 0xff & ~Offload.GSO_ECN;
            int gsoSize = Offload.le16(b, hdrAt + 4);
            int csumStart = Offload.le16(b, hdrAt + 6);
            int csumOffset = Offload.le16(b, hdrAt + 8);
            if (gsoType == Offload.GSO_NONE) {
                if ((flags & Offload.F_NEEDS_CSUM) != 0
                        && !Offload.completeChecksum(b, pkt, len, csumStart, csumOffset)) {
                    continue;
                }
                batch.set(n, pkt, len, null);
                n++;
                continue;
            }
            Offload.TcpLayout t = Offload.tcpLayout(b, pkt, len);
            if ((gsoType != Offload.GSO_TCPV4 && gsoType != Offload.GSO_TCPV6)
                    || t == null
                    || gsoSize == 0
                    || t.v6() != (gsoType == Offload.GSO_TCPV6)) {
                continue; // nothing we asked for: drop
            }
            // Keep the super-packet aside (swap buffers, no copy) and cut it into this and the following slots.
            if (spare.length != batch.bufferSize()) {
                spare = new byte[batch.bufferSize()];
            }
            pending = batch.exchangeBuffer(n, spare);
            spare = null;
            pendingLayout = t;
            pendingLen = len;
            pendingGso = gsoSize;
            pendingNext = 0;
            pendingCount = Offload.segmentCount(t, len, gsoSize);
            n = emitPending(batch, n);
        }
        return finish(batch, n, false);
    }

    /** Cuts segments of the pending super-packet into slots from {@code n}; returns the next free slot. */
    private int emitPending(PacketBatch batch, int n) {
        if (pending == null) {
            return n;
        }
        while (pendingNext < pendingCount && n < batch.capacity()) {
            int len = Offload.writeSegment(
                    pending,
                    PacketBatch.HEADROOM,
                    pendingLen,
                    pendingLayout,
                    pendingGso,
                    pendingNext,
                    pendingCount,
                    batch.buffer(n),
                    PacketBatch.HEADROOM);
            batch.set(n, PacketBatch.HEADROOM, len, null);
            n++;
            pendingNext++;
        }
        if (pendingNext == pendingCount) {
            spare = pending;
            pending = null;
        }
        return n;
    }

    private static int finish(PacketBatch batch, int n, boolean gone) {
        if (gone && n == 0) {
            return -1;
        }
        batch.count(n);
        return n;
    }

    // ---------------------------------------------------------------------------------------------- write

    /**
     * Writes the packets of {@code batch}. The {@link PacketBatch#HEADROOM} bytes before each packet's offset are
     * scratch space (the virtio header goes there).
     */
    @Override
    public void write(PacketBatch batch) throws IOException {
        fdLock.readLock().lock();
        try {
            if (closed) {
                return;
            }
            if (vnetHdr) {
                writeVnet(batch);
            } else {
                for (int i = 0; i < batch.count(); i++) {
                    if (batch.length(i) > 0) {
                        writeOne(batch.segment(i), batch.offset(i), batch.length(i));
                    }
                }
            }
        } finally {
            fdLock.readLock().unlock();
        }
    }

    private void writeOne(MemorySegment seg, int off, int len) throws IOException {
        long r;
        do {
            r = Libc.write(fd, seg.asSlice(off, len), len);
        } while (r == -Libc.EINTR);
        if (r < 0 && r != -Libc.EAGAIN && r != -Libc.EINVAL && !closed) {
            throw Libc.error("write to TUN " + name, r);
        }
    }

    private void writeVnet(PacketBatch batch) throws IOException {
        int n = batch.count();
        int i = 0;
        while (i < n) {
            int len = batch.length(i);
            if (len <= 0) {
                i++;
                continue;
            }
            byte[] b = batch.buffer(i);
            int off = batch.offset(i);
            Offload.TcpLayout t = Offload.tcpLayout(b, off, len);
            if (t != null && Offload.canStartGroup(b, off, len, t)) {
                int next = coalesceFrom(batch, i, t);
                if (next > i + 1) {
                    i = next;
                    continue;
                }
            }
            Offload.writeVnetHeader(b, off - Offload.VNET_HDR_LEN, 0, Offload.GSO_NONE, 0, 0, 0, 0);
            writeOne(batch.segment(i), off - Offload.VNET_HDR_LEN, len + Offload.VNET_HDR_LEN);
            i++;
        }
    }

    /** Coalesces from packet {@code i} (see {@link Offload#coalesce}) and writes the result; returns the next index. */
    private int coalesceFrom(PacketBatch batch, int i, Offload.TcpLayout t) throws IOException {
        byte[] out = coalesceBuffers.get();
        long r = Offload.coalesce(batch, i, t, out);
        int next = (int) (r >>> 32);
        if (next > i + 1) {
            writeOne(MemorySegment.ofArray(out), 0, (int) r);
        }
        return next;
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
