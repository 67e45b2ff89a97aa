package io.nexodus.netstack;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace TCP/IP stack whose link is two calls: IP packets in ({@link #input}) and IP packets out (the
 * {@link PacketSink}). It answers pings to its addresses, offers UDP sockets ({@link #openUdp}) and TCP with blocking
 * streams ({@link #listen}, {@link #connect}). docs/netstack.md lists what is implemented and what is not.
 * <p>
 * <b>Threading.</b> All protocol state (connections, timers, socket queues) is guarded by one lock, the stack's.
 * Three kinds of threads take it, each briefly: the thread that feeds packets in (for a WireGuard device, its
 * receive thread; packets are parsed before the lock is taken), the timer thread that {@link #start()} creates (one
 * platform thread that sleeps until the next timer is due and runs it), and application threads calling socket
 * methods, which copy bytes in or out of a connection's buffers and, when they must wait, wait on a condition of that
 * lock (so waiting never holds it; virtual threads are the intended callers). Outgoing packets are handed to the
 * sink while the lock is held, so the sink must not block. Without {@link #start()} nothing runs timers: tests call
 * {@link #advance()} on a manual {@link Ticker} instead, so every timer path runs without sleeping.
 * <p>
 * Malformed input never escapes {@link #input}: it is dropped and counted by {@link DropReason}.
 */
public final class NetStack implements AutoCloseable {
    /** Timer resolution. */
    static final long TICK_NANOS = 1_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(NetStack.class);
    private static final int TIMER_SLOTS = 1024;
    private static final int EPHEMERAL_FIRST = 32768;
    private static final int EPHEMERAL_COUNT = 61000 - 32768;

    private final NetStackConfig config;
    private final PacketSink sink;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition timerChanged = lock.newCondition();
    private final TimerWheel timers;
    private final Set<InetAddress> addresses;
    private final Map<FlowKey, TcpConnection> connections = new HashMap<>();
    private final Map<Integer, TcpListener> listeners = new HashMap<>();
    private final Map<Integer, UdpSocket> udpSockets = new HashMap<>();

    private final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    private long packetsIn;
    private long packetsOut;
    private long retransmits;
    private long spuriousRetransmits;
    private long timeouts;
    private long resetsSent;
    private boolean internalErrorLogged;

    private Thread timerThread;
    private boolean closed;

    /** A stack on the system clock, with random initial sequence numbers from {@link SecureRandom}. */
    public NetStack(NetStackConfig config, PacketSink sink) {
        this(config, sink, Ticker.system(), new SecureRandom());
    }

    public NetStack(NetStackConfig config, PacketSink sink, Ticker ticker, RandomGenerator random) {
        this.config = config;
        this.sink = sink;
        this.ticker = ticker;
        this.random = random;
        this.addresses = new LinkedHashSet<>(config.addresses());
        this.timers = new TimerWheel(TICK_NANOS, TIMER_SLOTS, ticker.nanos());
        timers.onEarlier(timerChanged::signal);
    }

    public NetStackConfig config() {
        return config;
    }

    /** Starts the timer thread (a daemon platform thread). Without it, call {@link #advance()} yourself. */
    public void start() {
        lock.lock();
        try {
            if (timerThread != null || closed) {
                return;
            }
            timerThread = Thread.ofPlatform().daemon().name("netstack-timers").start(this::runTimers);
        } finally {
            lock.unlock();
        }
    }

    private void runTimers() {
        lock.lock();
        try {
            while (!closed) {
                advanceLocked();
                long wait = timers.nextWakeup() - ticker.nanos();
                if (wait > 0) {
                    timerChanged.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Runs every timer that is due on the stack's ticker (for callers driving time themselves). */
    public void advance() {
        lock.lock();
        try {
            advanceLocked();
        } finally {
            lock.unlock();
        }
    }

    private void advanceLocked() {
        try {
            timers.advance(ticker.nanos());
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    /** When {@link #advance()} next has something to do (on the stack's ticker), at most one wheel turn ahead. */
    public long nextTimerNanos() {
        lock.lock();
        try {
            return timers.nextWakeup();
        } finally {
            lock.unlock();
        }
    }

    // ---- packets in ----

    /** Takes one IP packet from the link. Never throws for what the packet contains. */
    public void input(byte[] packet, int offset, int length) {
        IpPacket ip;
        Object transport;
        try {
            ip = PacketCodec.parseIp(packet, offset, length);
            transport = switch (ip.protocol()) {
                case IpPacket.TCP -> PacketCodec.parseTcp(ip);
                case IpPacket.UDP -> PacketCodec.parseUdp(ip);
                case IpPacket.ICMP, IpPacket.ICMPV6 -> {
                    if ((ip.protocol() == IpPacket.ICMPV6) != (ip.version() == 6)) {
                        throw new Malformed(DropReason.UNSUPPORTED_PROTOCOL);
                    }
                    yield PacketCodec.parseIcmpEcho(ip);
                }
                default -> throw new Malformed(DropReason.UNSUPPORTED_PROTOCOL);
            };
        } catch (Malformed m) {
            lock.lock();
            try {
                packetsIn++;
                countDrop(m.reason());
            } finally {
                lock.unlock();
            }
            return;
        } catch (RuntimeException e) {
            lock.lock();
            try {
                packetsIn++;
                internalError(e);
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            packetsIn++;
            if (!addresses.contains(ip.dst())) {
                countDrop(DropReason.NOT_FOR_US);
                return;
            }
            switch (transport) {
                case TcpSegment s -> tcpInput(ip, s);
                case UdpDatagram d -> udpInput(ip, d);
                case IcmpEcho e -> icmpInput(ip, e);
                default -> throw new IllegalStateException("parser returned " + transport);
            }
        } catch (RuntimeException e) {
            internalError(e);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the remaining bytes of {@code packet} as one IP packet. */
    public void input(ByteBuffer packet) {
        if (packet.hasArray()) {
            input(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining());
        } else {
            byte[] b = new byte[packet.remaining()];
            packet.get(packet.position(), b);
            input(b, 0, b.length);
        }
        packet.position(packet.limit());
    }

    private void icmpInput(IpPacket ip, IcmpEcho echo) {
        if (!echo.request()) {
            countDrop(DropReason.ICMP_UNHANDLED);
            return;
        }
        emit(PacketCodec.encodeIcmpEcho(
                /* src= */ ip.dst(),
                /* dst= */ ip.src(),
                new IcmpEcho(false, echo.identifier(), echo.sequence(), echo.data())));
    }

    private void udpInput(IpPacket ip, UdpDatagram d) {
        UdpSocket s = udpSockets.get(d.dstPort());
        if (s == null) {
            countDrop(DropReason.UDP_NO_SOCKET);
            return;
        }
        Datagram dg = new Datagram(
                new InetSocketAddress(ip.src(), d.srcPort()),
                new InetSocketAddress(ip.dst(), d.dstPort()),
                d.payload());
        if (!s.deliver(dg)) {
            countDrop(DropReason.UDP_QUEUE_FULL);
        }
    }

    private void tcpInput(IpPacket ip, TcpSegment seg) {
        FlowKey key = new FlowKey(ip.dst(), seg.dstPort(), ip.src(), seg.srcPort());
        TcpConnection c = connections.get(key);
        if (c != null) {
            c.input(seg);
            return;
        }
        TcpListener l = listeners.get(seg.dstPort());
        if (l == null || seg.has(TcpSegment.RST) || seg.has(TcpSegment.ACK) || !seg.has(TcpSegment.SYN)) {
            countDrop(DropReason.TCP_NO_CONNECTION);
            if (!seg.has(TcpSegment.RST) && (l == null || seg.has(TcpSegment.ACK))) {
                if (seg.has(TcpSegment.ACK)) {
                    sendReset(key, seg.ack(), 0, false);
                } else {
                    sendReset(key, 0, seg.seq() + seg.seqLength(), true);
                }
            }
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            countDrop(DropReason.TCP_TABLE_FULL);
            return;
        }
        if (!l.hasRoom()) {
            countDrop(DropReason.TCP_BACKLOG_FULL);
            return;
        }
        c = new TcpConnection(this, key, random.nextInt());
        connections.put(key, c);
        l.halfOpened();
        c.openPassive(seg, l);
    }

    // ---- sockets ----

    /** Binds a UDP port on every address of the stack; 0 picks a free ephemeral port. */
    public UdpSocket openUdp(int port) throws IOException {
        lock.lock();
        try {
            checkOpen();
            int p = port == 0 ? freePort(udpSockets::containsKey) : checkPort(port);
            if (udpSockets.containsKey(p)) {
                throw new BindException("UDP port " + p + " in use");
            }
            UdpSocket s = new UdpSocket(this, p, config.udpQueue());
            udpSockets.put(p, s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Listens on a TCP port on every address of the stack; {@code backlog} bounds half-open plus unaccepted. */
    public TcpListener listen(int port, int backlog) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive");
        }
        lock.lock();
        try {
            checkOpen();
            int p = port == 0 ? freePort(listeners::containsKey) : checkPort(port);
            if (listeners.containsKey(p)) {
                throw new BindException("TCP port " + p + " in use");
            }
            TcpListener l = new TcpListener(this, p, backlog);
            listeners.put(p, l);
            return l;
        } finally {
            lock.unlock();
        }
    }

    /** Opens a TCP connection and waits until it is established, refused, or {@code timeout} passed. */
    public TcpSocket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        lock.lock();
        try {
            TcpConnection c = openActive(remote);
            long left = timeout.toNanos();
            while (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
                if (left <= 0) {
                    c.abort();
                    throw new SocketTimeoutException("Connect timed out");
                }
                left = c.changed.awaitNanos(left);
            }
            if (c.state == TcpState.CLOSED) {
                throw c.error != null ? c.error : new ConnectException("Connection closed during handshake");
            }
            return new TcpSocket(this, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("Interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Starts an active open and returns at once (lock held). */
    TcpConnection openActive(InetSocketAddress remote) throws IOException {
        checkOpen();
        InetAddress local = localAddressFor(remote.getAddress());
        if (connections.size() >= config.maxConnections()) {
            throw new SocketException("Connection table full (" + config.maxConnections() + ")");
        }
        int port = freePort(p -> listeners.containsKey(p)
                || connections.containsKey(new FlowKey(local, p, remote.getAddress(), remote.getPort())));
        FlowKey key = new FlowKey(local, port, remote.getAddress(), remote.getPort());
        TcpConnection c = new TcpConnection(this, key, random.nextInt());
        connections.put(key, c);
        c.openActive();
        return c;
    }

    void sendUdp(int fromPort, InetSocketAddress to, byte[] data) throws IOException {
        InetAddress local = localAddressFor(to.getAddress());
        int room = config.mtu() - (local instanceof Inet4Address ? 20 : 40) - PacketCodec.UDP_HEADER;
        if (data.length > room) {
            throw new IOException("Message too long: " + data.length + " bytes, at most " + room + " fit the MTU");
        }
        emit(PacketCodec.encodeUdp(local, to.getAddress(), new UdpDatagram(fromPort, to.getPort(), data.clone())));
    }

    private InetAddress localAddressFor(InetAddress remote) throws IOException {
        boolean v4 = remote instanceof Inet4Address;
        for (InetAddress a : addresses) {
            if ((a instanceof Inet4Address) == v4) {
                return a;
            }
        }
        throw new NoRouteToHostException("No " + (v4 ? "IPv4" : "IPv6") + " address on the stack");
    }

    private int freePort(IntPredicate used) throws IOException {
        int start = random.nextInt(EPHEMERAL_COUNT);
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            int p = EPHEMERAL_FIRST + (start + i) % EPHEMERAL_COUNT;
            if (!used.test(p)) {
                return p;
            }
        }
        throw new BindException("No free ephemeral port");
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port outside 1..65535: " + port);
        }
        return port;
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Stack closed");
        }
    }

    /** Resets every connection, closes every socket and stops the timer thread. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (TcpListener l : new ArrayList<>(listeners.values())) {
                l.close();
            }
            for (UdpSocket u : new ArrayList<>(udpSockets.values())) {
                u.close();
            }
            for (TcpConnection c : new ArrayList<>(connections.values())) {
                c.abort();
            }
            closed = true;
            timerChanged.signalAll();
            t = timerThread;
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public NetStackStats stats() {
        lock.lock();
        try {
            Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
            for (DropReason r : DropReason.values()) {
                d.put(r, drops.getOrDefault(r, 0L));
            }
            return new NetStackStats(
                    packetsIn,
                    packetsOut,
                    d,
                    connections.size(),
                    retransmits,
                    spuriousRetransmits,
                    timeouts,
                    resetsSent);
        } finally {
            lock.unlock();
        }
    }

    // ---- for the protocol classes (lock held) ----

    ReentrantLock lock() {
        return lock;
    }

    TimerWheel timers() {
        return timers;
    }

    long now() {
        return ticker.nanos();
    }

    void emitTcp(FlowKey key, TcpSegment s) {
        emit(PacketCodec.encodeTcp(key.local(), key.remote(), s));
    }

    /** A RST (RFC 9293 3.10.7.1 for segments to nothing; aborts): with ACK only when the segment had none. */
    void sendReset(FlowKey key, int seq, int ack, boolean withAck) {
        resetsSent++;
        int flags = TcpSegment.RST | (withAck ? TcpSegment.ACK : 0);
        emitTcp(
                key,
                new TcpSegment(
                        key.localPort(),
                        key.remotePort(),
                        seq,
                        withAck ? ack : 0,
                        flags,
                        0,
                        TcpOptions.NONE,
                        new byte[0]));
    }

    private void emit(byte[] packet) {
        packetsOut++;
        sink.send(packet);
    }

    void countDrop(DropReason r) {
        drops.merge(r, 1L, Long::sum);
    }

    void countRetransmit() {
        retransmits++;
    }

    void countSpuriousRetransmit() {
        spuriousRetransmits++;
    }

    void countTimeout() {
        timeouts++;
    }

    boolean hasConnection(TcpConnection c) {
        return connections.get(c.key) == c;
    }

    void removeConnection(TcpConnection c) {
        connections.remove(c.key, c);
    }

    void removeListener(TcpListener l) {
        listeners.remove(l.port(), l);
    }

    void removeUdp(UdpSocket s) {
        udpSockets.remove(s.port(), s);
    }

    /** One line per connection with its sequence-space and timer state, for test failure messages. */
    String describe() {
        lock.lock();
        try {
            StringBuilder b = new StringBuilder();
            for (TcpConnection c : connections.values()) {
                b.append(c.describe()).append('\n');
            }
            return b.toString();
        } finally {
            lock.unlock();
        }
    }

    /** For tests: the connection with this four-tuple (lock held). */
    TcpConnection connection(FlowKey key) {
        return connections.get(key);
    }

    private void internalError(RuntimeException e) {
        countDrop(DropReason.INTERNAL);
        if (!internalErrorLogged) {
            internalErrorLogged = true;
            LOG.error("netstack: unexpected error handling a packet or timer (further ones only counted)", e);
        }
    }
}
