package io.nexodus.wireguard.bind;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.nexodus.wireguard.ffi.Libc;
import io.nexodus.wireguard.ffi.NetworkNamespace;
import io.nexodus.wireguard.ffi.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP transport: one dual-stack socket (IPv6 with v4-mapped addresses, or IPv4 only where IPv6 is off) created
 * through FFM, because the JDK exposes neither the descriptor of a DatagramChannel nor SO_MARK, recvmmsg/sendmmsg or
 * UDP GSO. A platform thread receives in batches with {@code recvmmsg}; senders use {@code sendmmsg}.
 * <p>
 * Datagrams that carry the STUN magic cookie at bytes 4..8 (with the first two bits zero) go to the
 * {@link NonWireGuardHandler} instead of the device, and {@link #sendDatagram} sends any datagram from the WireGuard
 * port, so an agent can run STUN on the same socket. WireGuard never produces such bytes toward us: the device never
 * hands out the local index that would spell the cookie.
 */
public final class UdpBind implements Bind {
    private static final Logger log = LoggerFactory.getLogger(UdpBind.class);
    static final int MSGHDR_SIZE = 56;
    static final int MMSGHDR_SIZE = 64;
    static final int IOVEC_SIZE = 16;
    static final int RECV_BATCH = 64;
    static final int MAX_DATAGRAM = 65536;
    private static final int SOCKET_BUFFER = 7 << 20;
    private static final int MSG_TRUNC = 0x20;
    private static final int STUN_COOKIE = 0x2112A442;
    /** NEXODUS_WG_UDP_OFFLOAD=0 turns UDP GSO/GRO off (for comparison). */
    private static final boolean OFFLOAD = !"0".equals(System.getenv("NEXODUS_WG_UDP_OFFLOAD"));

    static final int CMSG_HDR = 16;
    static final int RECV_CONTROL = 64;
    static final int SEND_CONTROL = 24; // CMSG_SPACE(sizeof(uint16_t))
    static final int GSO_MAX_SEGMENTS = 64;
    static final int GSO_MAX_BYTES = 65000;

    private final InetAddress bindAddress;
    private final NetworkNamespace birthplace = NetworkNamespace.current();
    private final ReentrantReadWriteLock socketLock = new ReentrantReadWriteLock();
    private final SendState coldState = new SendState(1, MAX_DATAGRAM);
    private volatile Socket socket;
    private volatile int mark;
    private volatile NonWireGuardHandler nonWireGuardHandler;

    /** A bind on all local addresses. */
    public UdpBind() {
        this(null);
    }

    /**
     * A bind on one local address (tests bind to loopback); null means all addresses. Its sockets live in the network
     * namespace of the thread that constructs it, also when a later {@link #open} comes from another thread.
     */
    public UdpBind(InetAddress bindAddress) {
        this.bindAddress = bindAddress;
    }

    /** Where non-WireGuard (STUN) datagrams go; null drops them. */
    public void onNonWireGuard(NonWireGuardHandler handler) {
        this.nonWireGuardHandler = handler;
    }

    /** Sends an arbitrary datagram (for example a STUN request) from the WireGuard socket. */
    public void sendDatagram(InetSocketAddress to, ByteBuffer datagram) throws IOException {
        byte[] b = new byte[datagram.remaining()];
        datagram.duplicate().get(b);
        send(new UdpEndpoint(to), b, 0, b.length);
    }

    private static final class Socket {
        final int fd;
        final int family;
        final int port;
        final int eventFd;
        final Receiver receiver;
        final boolean gro;
        volatile boolean gso;
        Thread thread;

        Socket(int fd, int family, int port, int eventFd, Receiver receiver, boolean gso, boolean gro) {
            this.fd = fd;
            this.family = family;
            this.port = port;
            this.eventFd = eventFd;
            this.receiver = receiver;
            this.gso = gso;
            this.gro = gro;
        }
    }

    @Override
    public int open(int port, Receiver receiver) throws IOException {
        Socket fresh;
        if (birthplace == null) {
            fresh = createSocket(port, receiver);
        } else {
            try {
                fresh = birthplace.call(() -> createSocket(port, receiver));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("cannot create the UDP socket in " + birthplace, e);
            }
        }
        Socket old;
        socketLock.writeLock().lock();
        try {
            old = socket;
            socket = fresh;
        } finally {
            socketLock.writeLock().unlock();
        }
        if (old != null) {
            shutdown(old);
        }
        Thread t = Thread.ofPlatform().name("wg-udp-" + fresh.port).daemon(true).unstarted(() -> receiveLoop(fresh));
        fresh.thread = t;
        t.start();
        return fresh.port;
    }

    private Socket createSocket(int port, Receiver receiver) throws IOException {
        boolean v4Only = bindAddress != null && bindAddress.getAddress().length == 4;
        int family = v4Only ? Libc.AF_INET : Libc.AF_INET6;
        int fd = Libc.socket(family, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, Libc.IPPROTO_UDP);
        if (fd < 0 && family == Libc.AF_INET6 && bindAddress == null) {
            family = Libc.AF_INET; // IPv6 disabled here
            fd = Libc.socket(family, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, Libc.IPPROTO_UDP);
        }
        if (fd < 0) {
            throw Libc.error("socket", fd);
        }
        int eventFd = -1;
        try (Arena a = Arena.ofConfined()) {
            if (family == Libc.AF_INET6) {
                Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0);
            }
            // Big socket buffers keep bursts from being dropped (wireguard-go uses 7 MiB); FORCE needs CAP_NET_ADMIN.
            if (Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, SOCKET_BUFFER) < 0) {
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, SOCKET_BUFFER);
            }
            if (Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, SOCKET_BUFFER) < 0) {
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, SOCKET_BUFFER);
            }
            if (mark != 0) {
                int r = Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_MARK, mark);
                if (r < 0) {
                    throw Libc.error("setsockopt(SO_MARK)", r);
                }
            }
            MemorySegment addr = a.allocate(SockAddr.STORAGE);
            int len = bindAddress == null
                    ? SockAddr.writeAny(addr, port, family)
                    : SockAddr.write(addr, new InetSocketAddress(bindAddress, port), family);
            int r = Libc.bind(fd, addr, len);
            if (r < 0) {
                throw Libc.error("bind UDP port " + port, r);
            }
            MemorySegment lenPtr = a.allocate(JAVA_INT);
            lenPtr.set(JAVA_INT, 0, SockAddr.STORAGE);
            r = Libc.getsockname(fd, addr, lenPtr);
            if (r < 0) {
                throw Libc.error("getsockname", r);
            }
            int bound = SockAddr.port(addr);
            eventFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (eventFd < 0) {
                throw Libc.error("eventfd", eventFd);
            }
            // UDP segmentation offload (send many datagrams as one) and its receive side, where the kernel has them.
            boolean gso = OFFLOAD && Libc.setsockoptInt(fd, Libc.SOL_UDP, Libc.UDP_SEGMENT, 0) == 0;
            boolean gro = OFFLOAD && Libc.setsockoptInt(fd, Libc.SOL_UDP, Libc.UDP_GRO, 1) == 0;
            return new Socket(fd, family, bound, eventFd, receiver, gso, gro);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            if (eventFd >= 0) {
                Libc.close(eventFd);
            }
            throw e;
        }
    }

    @Override
    public int port() {
        Socket s = socket;
        return s == null ? 0 : s.port;
    }

    @Override
    public void setMark(int newMark) throws IOException {
        socketLock.readLock().lock();
        try {
            Socket s = socket;
            if (s != null) {
                int r = Libc.setsockoptInt(s.fd, Libc.SOL_SOCKET, Libc.SO_MARK, newMark);
                if (r < 0) {
                    throw Libc.error("setsockopt(SO_MARK)", r);
                }
            }
            mark = newMark;
        } finally {
            socketLock.readLock().unlock();
        }
    }

    /** The mark last applied (for tests). */
    public int mark() {
        return mark;
    }

    @Override
    public void close() {
        Socket old;
        socketLock.writeLock().lock();
        try {
            old = socket;
            socket = null;
        } finally {
            socketLock.writeLock().unlock();
        }
        if (old != null) {
            shutdown(old);
        }
    }

    /** Wakes the receive thread, waits for it, then closes the descriptors (so no thread uses a reused number). */
    private void shutdown(Socket s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            Libc.write(s.eventFd, one, 8);
        }
        if (s.thread != null && s.thread != Thread.currentThread()) {
            try {
                s.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socketLock.writeLock().lock();
        try {
            Libc.close(s.fd);
            Libc.close(s.eventFd);
        } finally {
            socketLock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------- receive

    private void receiveLoop(Socket s) {
        try (Arena arena = Arena.ofConfined()) {
            int n = s.gro ? 16 : RECV_BATCH;
            MemorySegment slab = arena.allocate((long) n * MAX_DATAGRAM, 64);
            MemorySegment msgvec = arena.allocate((long) n * MMSGHDR_SIZE, 8);
            MemorySegment iovecs = arena.allocate((long) n * IOVEC_SIZE, 8);
            MemorySegment names = arena.allocate((long) n * SockAddr.STORAGE, 8);
            MemorySegment controls = arena.allocate((long) n * RECV_CONTROL, 8);
            MemorySegment pollfds = arena.allocate(16, 8);
            for (int i = 0; i < n; i++) {
                MemorySegment iov = iovecs.asSlice((long) i * IOVEC_SIZE, IOVEC_SIZE);
                iov.set(ADDRESS, 0, slab.asSlice((long) i * MAX_DATAGRAM, MAX_DATAGRAM));
                iov.set(JAVA_LONG, 8, MAX_DATAGRAM);
                MemorySegment h = msgvec.asSlice((long) i * MMSGHDR_SIZE, MMSGHDR_SIZE);
                h.set(ADDRESS, 0, names.asSlice((long) i * SockAddr.STORAGE, SockAddr.STORAGE));
                h.set(ADDRESS, 16, iov);
                h.set(JAVA_LONG, 24, 1L);
                if (s.gro) {
                    h.set(ADDRESS, 32, controls.asSlice((long) i * RECV_CONTROL, RECV_CONTROL));
                }
            }
            pollfds.set(JAVA_INT, 0, s.fd);
            pollfds.set(JAVA_SHORT, 4, Libc.POLLIN);
            pollfds.set(JAVA_INT, 8, s.eventFd);
            pollfds.set(JAVA_SHORT, 12, Libc.POLLIN);
            PacketBatch batch = new PacketBatch(RECV_BATCH * 2, MAX_DATAGRAM);
            EndpointCache endpoints = new EndpointCache();
            while (true) {
                for (int i = 0; i < n; i++) {
                    MemorySegment h = msgvec.asSlice((long) i * MMSGHDR_SIZE, MMSGHDR_SIZE);
                    h.set(JAVA_INT, 8, SockAddr.STORAGE);
                    h.set(JAVA_LONG, 40, s.gro ? RECV_CONTROL : 0L);
                    h.set(JAVA_INT, 48, 0);
                }
                int got = Libc.recvmmsg(s.fd, msgvec, n, Libc.MSG_DONTWAIT);
                if (got == -Libc.EAGAIN || got == -Libc.EINTR) {
                    pollfds.set(JAVA_SHORT, 6, (short) 0);
                    pollfds.set(JAVA_SHORT, 14, (short) 0);
                    Libc.poll(pollfds, 2, -1);
                    if (pollfds.get(JAVA_SHORT, 14) != 0) {
                        return; // closing
                    }
                    continue;
                }
                if (got < 0) {
                    if (got == -Libc.EBADF) {
                        return;
                    }
                    log.debug("recvmmsg on port {}: {}", s.port, Libc.errnoName(-got));
                    continue;
                }
                try {
                    dispatch(s, got, msgvec, slab, names, controls, batch, endpoints);
                } catch (RuntimeException e) {
                    log.warn("UDP port {}: dropped {} received messages", s.port, got, e); // a bug; keep receiving
                }
            }
        } catch (RuntimeException e) {
            log.error("UDP receive loop on port {} failed", s.port, e);
        }
    }

    /** Splits GRO messages, diverts STUN, and hands the datagrams to the receiver in batches. */
    private void dispatch(
            Socket s,
            int got,
            MemorySegment msgvec,
            MemorySegment slab,
            MemorySegment names,
            MemorySegment controls,
            PacketBatch batch,
            EndpointCache endpoints) {
        int j = 0;
        for (int i = 0; i < got; i++) {
            MemorySegment h = msgvec.asSlice((long) i * MMSGHDR_SIZE, MMSGHDR_SIZE);
            int len = h.get(JAVA_INT, 56);
            if ((h.get(JAVA_INT, 48) & MSG_TRUNC) != 0 || len <= 0) {
                continue;
            }
            int segment = s.gro
                    ? groSegmentSize(controls.asSlice((long) i * RECV_CONTROL, RECV_CONTROL), h.get(JAVA_LONG, 40))
                    : 0;
            if (segment <= 0) {
                segment = len;
            }
            MemorySegment name = names.asSlice((long) i * SockAddr.STORAGE, SockAddr.STORAGE);
            UdpEndpoint from = endpoints.get(name);
            long base = (long) i * MAX_DATAGRAM;
            for (int off = 0; off < len; off += segment) {
                int dlen = Math.min(segment, len - off);
                if (dlen >= 8
                        && (slab.get(JAVA_BYTE, base + off) & 0xc0) == 0
                        && bigEndianInt(slab, base + off + 4) == STUN_COOKIE) {
                    deliverNonWireGuard(slab.asSlice(base + off, dlen), name);
                    continue;
                }
                MemorySegment.copy(slab, base + off, batch.segment(j), 0, dlen);
                batch.set(j, 0, dlen, from);
                if (++j == batch.capacity()) {
                    deliver(s, batch, j);
                    j = 0;
                }
            }
        }
        if (j > 0) {
            deliver(s, batch, j);
        }
    }

    private static void deliver(Socket s, PacketBatch batch, int count) {
        batch.count(count);
        try {
            s.receiver.receive(batch);
        } catch (RuntimeException e) {
            log.warn("receiver failed on a batch of {} datagrams", count, e);
        }
    }

    /** The UDP_GRO control message's segment size, or 0 if the datagram was not coalesced. */
    private static int groSegmentSize(MemorySegment control, long controlLength) {
        long off = 0;
        while (off + CMSG_HDR <= controlLength) {
            long cmsgLen = control.get(JAVA_LONG, off);
            if (cmsgLen < CMSG_HDR) {
                return 0;
            }
            int level = control.get(JAVA_INT, off + 8);
            int type = control.get(JAVA_INT, off + 12);
            if (level == Libc.SOL_UDP && type == Libc.UDP_GRO && cmsgLen >= CMSG_HDR + 4) {
                return control.get(JAVA_INT, off + CMSG_HDR);
            }
            off += (cmsgLen + 7) & ~7L;
        }
        return 0;
    }

    private static int bigEndianInt(MemorySegment m, long off) {
        return ((m.get(JAVA_BYTE, off) & 0xff) << 24)
                | ((m.get(JAVA_BYTE, off + 1) & 0xff) << 16)
                | ((m.get(JAVA_BYTE, off + 2) & 0xff) << 8)
                | (m.get(JAVA_BYTE, off + 3) & 0xff);
    }

    private void deliverNonWireGuard(MemorySegment data, MemorySegment name) {
        NonWireGuardHandler h = nonWireGuardHandler;
        if (h == null) {
            return;
        }
        try {
            h.handle(ByteBuffer.wrap(data.toArray(JAVA_BYTE)).asReadOnlyBuffer(), SockAddr.read(name));
        } catch (RuntimeException e) {
            log.warn("non-WireGuard datagram handler failed", e);
        }
    }

    /** Recent source addresses and their endpoints, so a batch from one peer allocates no endpoint objects. */
    private static final class EndpointCache {
        private static final int SIZE = 16;
        private final long[] hi = new long[SIZE];
        private final long[] lo = new long[SIZE];
        private final int[] portFamily = new int[SIZE];
        private final UdpEndpoint[] values = new UdpEndpoint[SIZE];
        private int nextSlot;

        UdpEndpoint get(MemorySegment name) {
            int family = SockAddr.family(name);
            int pf = (SockAddr.port(name) << 16) | family;
            long h;
            long l;
            if (family == Libc.AF_INET) {
                h = name.get(JAVA_INT, 4) & 0xffffffffL;
                l = 0;
            } else {
                h = name.get(JAVA_LONG, 8);
                l = name.get(JAVA_LONG, 16) ^ ((long) name.get(JAVA_INT, 24) << 1);
            }
            for (int i = 0; i < SIZE; i++) {
                if (values[i] != null && portFamily[i] == pf && hi[i] == h && lo[i] == l) {
                    return values[i];
                }
            }
            UdpEndpoint e = new UdpEndpoint(SockAddr.read(name));
            int slot = nextSlot;
            nextSlot = (nextSlot + 1) % SIZE;
            hi[slot] = h;
            lo[slot] = l;
            portFamily[slot] = pf;
            values[slot] = e;
            return e;
        }
    }

    // ---------------------------------------------------------------------------------------------- send

    /**
     * Native buffers for sendmmsg, attached to a batch (or the cold-path state) so sending allocates nothing. Each
     * packet gets a slot of the slab and an iovec; a message (msghdr) covers one packet, or, with UDP GSO, a run of
     * equal-sized packets to one endpoint (the kernel cuts them apart at the segment size).
     */
    static final class SendState {
        final int capacity;
        final int slotSize;
        final MemorySegment slab;
        final MemorySegment msgvec;
        final MemorySegment iovecs;
        final MemorySegment names;
        final MemorySegment controls;
        final MemorySegment pollfd;
        final MemorySegment lastName;
        Endpoint lastEndpoint;
        int lastFamily;
        int lastNameLength;
        int messages;
        int packets;
        // the message being built
        private Endpoint groupEndpoint;
        private int groupSegment;
        private int groupCount;
        private int groupBytes;
        private boolean groupClosed;

        SendState(int capacity, int slotSize) {
            Arena arena = Arena.ofAuto();
            this.capacity = capacity;
            this.slotSize = slotSize;
            slab = arena.allocate((long) capacity * slotSize, 64);
            msgvec = arena.allocate((long) capacity * MMSGHDR_SIZE, 8);
            iovecs = arena.allocate((long) capacity * IOVEC_SIZE, 8);
            names = arena.allocate((long) capacity * SockAddr.STORAGE, 8);
            controls = arena.allocate((long) capacity * SEND_CONTROL, 8);
            lastName = arena.allocate(SockAddr.STORAGE, 8);
            pollfd = arena.allocate(8, 8);
            for (int i = 0; i < capacity; i++) {
                MemorySegment iov = iovecs.asSlice((long) i * IOVEC_SIZE, IOVEC_SIZE);
                iov.set(ADDRESS, 0, slab.asSlice((long) i * slotSize, slotSize));
            }
        }

        void reset() {
            messages = 0;
            packets = 0;
            groupEndpoint = null;
        }

        /**
         * Adds a packet; false if the endpoint is not UDP or the data does not fit. Endpoints are compared by identity
         * on purpose: it is a cheap hint (a peer's endpoint is one object), and equal but distinct endpoints only
         * cost a shorter GSO group or a recomputed address, never a wrong destination.
         */
        @SuppressWarnings("ReferenceEquality") // identity is the intended, cheaper test here (see above)
        boolean add(Endpoint ep, MemorySegment data, long off, int len, int family, boolean gso) {
            if (!(ep instanceof UdpEndpoint udp) || len > slotSize || packets == capacity) {
                return false;
            }
            int k = packets++;
            MemorySegment.copy(data, off, slab, (long) k * slotSize, len);
            iovecs.set(JAVA_LONG, (long) k * IOVEC_SIZE + 8, len);
            if (gso
                    && ep == groupEndpoint
                    && !groupClosed
                    && len <= groupSegment
                    && groupCount < GSO_MAX_SEGMENTS
                    && groupBytes + len <= GSO_MAX_BYTES) {
                MemorySegment h = msgvec.asSlice((long) (messages - 1) * MMSGHDR_SIZE, MMSGHDR_SIZE);
                h.set(JAVA_LONG, 24, h.get(JAVA_LONG, 24) + 1);
                groupCount++;
                groupBytes += len;
                groupClosed = len < groupSegment; // a shorter segment can only be the last
                return true;
            }
            if (ep != lastEndpoint || family != lastFamily) {
                lastNameLength = SockAddr.write(lastName, udp.address(), family);
                lastEndpoint = ep;
                lastFamily = family;
            }
            int m = messages++;
            MemorySegment.copy(lastName, 0, names, (long) m * SockAddr.STORAGE, SockAddr.STORAGE);
            MemorySegment h = msgvec.asSlice((long) m * MMSGHDR_SIZE, MMSGHDR_SIZE);
            h.set(ADDRESS, 0, names.asSlice((long) m * SockAddr.STORAGE, SockAddr.STORAGE));
            h.set(JAVA_INT, 8, lastNameLength);
            h.set(ADDRESS, 16, iovecs.asSlice((long) k * IOVEC_SIZE, IOVEC_SIZE));
            h.set(JAVA_LONG, 24, 1L);
            h.set(ADDRESS, 32, MemorySegment.NULL);
            h.set(JAVA_LONG, 40, 0L);
            h.set(JAVA_INT, 48, 0);
            groupEndpoint = ep;
            groupSegment = len;
            groupCount = 1;
            groupBytes = len;
            groupClosed = false;
            return true;
        }

        /** Adds the UDP_SEGMENT control message to every message that carries more than one packet. */
        @SuppressWarnings("restricted") // sizes the iovec pointer we wrote ourselves into the message header
        void finishGso() {
            for (int m = 0; m < messages; m++) {
                MemorySegment h = msgvec.asSlice((long) m * MMSGHDR_SIZE, MMSGHDR_SIZE);
                if (h.get(JAVA_LONG, 24) > 1) {
                    MemorySegment iov = h.get(ADDRESS, 16).reinterpret(IOVEC_SIZE);
                    long segment = iov.get(JAVA_LONG, 8);
                    MemorySegment c = controls.asSlice((long) m * SEND_CONTROL, SEND_CONTROL);
                    c.set(JAVA_LONG, 0, CMSG_HDR + 2L);
                    c.set(JAVA_INT, 8, Libc.SOL_UDP);
                    c.set(JAVA_INT, 12, Libc.UDP_SEGMENT);
                    c.set(JAVA_SHORT, 16, (short) segment);
                    h.set(ADDRESS, 32, c);
                    h.set(JAVA_LONG, 40, SEND_CONTROL);
                }
            }
        }
    }

    @Override
    public void send(PacketBatch batch) throws IOException {
        SendState st = batch.transportState() instanceof SendState s
                        && s.capacity >= batch.capacity()
                        && s.slotSize >= batch.bufferSize()
                ? s
                : null;
        if (st == null) {
            st = new SendState(batch.capacity(), batch.bufferSize());
            batch.transportState(st);
        }
        socketLock.readLock().lock();
        try {
            Socket s = socket;
            if (s == null) {
                throw new IOException("UDP bind is closed");
            }
            boolean gso = s.gso;
            fill(st, batch, s, gso);
            if (gso) {
                st.finishGso();
            }
            if (sendAll(s, st, st.messages) < 0 && gso) {
                // The route cannot do UDP segmentation (no checksum offload): resend one datagram per message.
                s.gso = false;
                log.info("UDP GSO refused on port {}; sending datagrams one by one", s.port);
                fill(st, batch, s, false);
                sendAll(s, st, st.messages);
            }
        } finally {
            socketLock.readLock().unlock();
        }
    }

    private static void fill(SendState st, PacketBatch batch, Socket s, boolean gso) {
        st.reset();
        for (int i = 0; i < batch.count(); i++) {
            Endpoint ep = batch.endpoint(i);
            if (ep != null && batch.length(i) > 0) {
                st.add(ep, batch.segment(i), batch.offset(i), batch.length(i), s.family, gso);
            }
        }
    }

    @Override
    public void send(Endpoint to, byte[] buf, int offset, int length) throws IOException {
        synchronized (coldState) {
            socketLock.readLock().lock();
            try {
                Socket s = socket;
                if (s == null) {
                    throw new IOException("UDP bind is closed");
                }
                coldState.reset();
                if (!coldState.add(to, MemorySegment.ofArray(buf), offset, length, s.family, false)) {
                    throw new IOException("cannot send to " + to + " over UDP");
                }
                if (sendAll(s, coldState, 1) < 1) {
                    throw new IOException("send to " + to + " failed");
                }
            } finally {
                socketLock.readLock().unlock();
            }
        }
    }

    /**
     * sendmmsg until all {@code k} messages went out; a message the kernel refuses is skipped. Returns the number of
     * messages sent, or -1 if the kernel refused UDP segmentation (EIO), so the caller can retry without it.
     */
    private int sendAll(Socket s, SendState st, int k) {
        int done = 0;
        int sent = 0;
        int againRetries = 0;
        while (done < k) {
            int r = Libc.sendmmsg(s.fd, st.msgvec.asSlice((long) done * MMSGHDR_SIZE), k - done, 0);
            if (r > 0) {
                done += r;
                sent += r;
                againRetries = 0;
            } else if (r == -Libc.EAGAIN && againRetries++ < 10) {
                st.pollfd.set(JAVA_INT, 0, s.fd);
                st.pollfd.set(JAVA_SHORT, 4, (short) 0x4); // POLLOUT
                st.pollfd.set(JAVA_SHORT, 6, (short) 0);
                Libc.poll(st.pollfd, 1, 100);
            } else if (r == -Libc.EINTR) {
                // interrupted before anything was sent: try again
            } else if (r == -Libc.EIO
                    && done == 0
                    && sent == 0
                    && st.msgvec.get(JAVA_LONG, (long) done * MMSGHDR_SIZE + 40) != 0) {
                return -1;
            } else {
                log.debug("sendmmsg on port {}: {}", s.port, Libc.errnoName(-r));
                done++; // skip the message the kernel refused
            }
        }
        return sent;
    }
}
