package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.Bind;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.Receiver;
import io.nexodus.wireguard.bind.UdpEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A datagram network in memory for device tests: binds get fake UDP addresses; sent datagrams queue up until the test
 * calls {@link #deliverAll()}, and an interceptor can drop (return null), record or alter them on the way.
 */
final class MemoryNetwork {
    /** A datagram in flight: who sent it, to whom, and its bytes (the test's to read, never changed). */
    static final class Datagram {
        private final UdpEndpoint from;
        private final Endpoint to;
        private final byte[] data;

        Datagram(UdpEndpoint from, Endpoint to, byte[] data) {
            this.from = from;
            this.to = to;
            this.data = data;
        }

        UdpEndpoint from() {
            return from;
        }

        Endpoint to() {
            return to;
        }

        byte[] data() {
            return data;
        }
    }

    private final ArrayDeque<Datagram> inFlight = new ArrayDeque<>();
    private final Map<Endpoint, MemoryBind> binds = new HashMap<>();
    final List<Datagram> log = new ArrayList<>();
    private UnaryOperator<Datagram> interceptor = d -> d;
    private int nextPort = 40000;

    synchronized void intercept(UnaryOperator<Datagram> f) {
        interceptor = f;
    }

    MemoryBind bind(String ip) {
        return new MemoryBind(ip);
    }

    synchronized void enqueue(Datagram d) {
        log.add(d);
        Datagram x = interceptor.apply(d);
        if (x != null) {
            inFlight.add(x);
        }
    }

    /** Injects a datagram as if {@code from} had sent it. */
    synchronized void inject(UdpEndpoint from, Endpoint to, byte[] data) {
        inFlight.add(new Datagram(from, to, data.clone()));
    }

    /** Delivers queued datagrams (and those their delivery causes) until none are left; returns how many. */
    int deliverAll() {
        int n = 0;
        while (true) {
            Datagram d;
            MemoryBind target;
            synchronized (this) {
                d = inFlight.poll();
                if (d == null) {
                    return n;
                }
                target = binds.get(d.to());
            }
            n++;
            if (n > 100_000) {
                throw new IllegalStateException("datagram storm");
            }
            if (target != null && target.receiver != null) {
                PacketBatch b = new PacketBatch(1, 65536);
                System.arraycopy(d.data(), 0, b.buffer(0), 0, d.data().length);
                b.set(0, 0, d.data().length, d.from());
                b.count(1);
                target.receiver.receive(b);
            }
        }
    }

    synchronized int queued() {
        return inFlight.size();
    }

    final class MemoryBind implements Bind {
        private final InetAddress ip;
        UdpEndpoint address;
        Receiver receiver;
        int mark;

        MemoryBind(String ip) {
            this.ip = UdpEndpoint.parseNumericAddress(ip);
        }

        @Override
        public int open(int port, Receiver r) throws IOException {
            synchronized (MemoryNetwork.this) {
                int p = port == 0 ? nextPort++ : port;
                UdpEndpoint a = UdpEndpoint.of(ip, p);
                if (binds.containsKey(a)) {
                    throw new IOException("address in use: " + a);
                }
                if (address != null) {
                    binds.remove(address);
                }
                address = a;
                receiver = r;
                binds.put(a, this);
                return p;
            }
        }

        @Override
        public int port() {
            return address == null ? 0 : address.port();
        }

        @Override
        public void send(PacketBatch batch) {
            for (int i = 0; i < batch.count(); i++) {
                if (batch.endpoint(i) != null && batch.length(i) > 0) {
                    int off = batch.offset(i);
                    enqueue(new Datagram(
                            address,
                            batch.endpoint(i),
                            Arrays.copyOfRange(batch.buffer(i), off, off + batch.length(i))));
                }
            }
        }

        @Override
        public void send(Endpoint to, byte[] buf, int offset, int length) {
            enqueue(new Datagram(address, to, Arrays.copyOfRange(buf, offset, offset + length)));
        }

        @Override
        public void setMark(int mark) {
            this.mark = mark;
        }

        @Override
        public void close() {
            synchronized (MemoryNetwork.this) {
                if (address != null) {
                    binds.remove(address);
                }
                receiver = null;
            }
        }
    }
}
