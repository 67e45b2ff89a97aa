package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.PacketBatch;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send path (wireguard-go's {@code send.go}): the TUN reader thread reads a batch of IP packets (TSO super-packets
 * already cut into segments by the {@link io.nexodus.wireguard.tun.Tun}), routes each by destination (allowed IPs),
 * asks the {@link PacketFilter} (if one is set), takes counters and writes headers in batch order, seals the batch (inline, or shared
 * with the {@link CryptoPool}) and hands it to the bind in one call. A packet without a usable session waits in its
 * peer's staging queue while a handshake runs ({@link Peer#stage}).
 * <p>
 * Threads: {@link #readLoop} is the TUN reader thread's body and the only caller of {@link #process} (tests that drive
 * a device by hand call it directly). Per packet it takes no lock and allocates nothing: the scratch travels with the
 * batch ({@link BatchWork}), and timers, counters and rekey checks run once per batch per peer.
 */
final class Outbound {
    private static final Logger log = LoggerFactory.getLogger(Outbound.class);
    static final int BATCH_SIZE = 128;
    static final int TUN_BUFFER_SIZE = 65536 + 128; // a TSO super-packet with its virtio header

    private final Device device;

    Outbound(Device device) {
        this.device = device;
    }

    /** The TUN reader thread: reads and sends until the device closes or the interface disappears. */
    void readLoop() {
        PacketBatch batch = new PacketBatch(BATCH_SIZE, TUN_BUFFER_SIZE);
        while (!device.closing) {
            int n;
            try {
                n = device.tun.read(batch);
            } catch (IOException | RuntimeException e) {
                if (!device.closing) {
                    log.error("{}: TUN read failed, shutting down", device.name(), e);
                }
                break;
            }
            if (n < 0) {
                break;
            }
            try {
                process(batch);
            } catch (RuntimeException e) {
                log.warn("{}: dropped a batch of {} outgoing packets", device.name(), n, e); // a bug; keep the device
            }
        }
        if (!device.closing) {
            log.info("{}: interface is gone, shutting down", device.name());
            Thread.ofPlatform().daemon(true).start(device::close);
        }
    }

    /**
     * Routes, filters, encrypts and sends the IP packets in {@code batch} (each at offset HEADROOM): counters are
     * taken in batch order, the crypto may be spread over the pool, and the batch goes out in its original order.
     */
    void process(PacketBatch batch) {
        int n = batch.count();
        int mtu = device.tun.mtu();
        long now = device.scheduler.nanoTime();
        BatchWork w = BatchWork.of(batch);
        PacketFilter filter = device.packetFilter(); // one volatile read per batch; null costs a branch per packet
        Peer lastPeer = null;
        int touched = 0;
        for (int i = 0; i < n; i++) {
            byte[] buf = batch.buffer(i);
            int len = batch.length(i);
            w.keys[i] = null;
            Peer p = device.allowedIps.lookupPacket(buf, PacketBatch.HEADROOM, len, true);
            if (p == null) {
                device.drop(DropReason.NO_ROUTE);
                batch.drop(i);
                continue;
            }
            if (filter != null && !accepts(filter, p, buf, len)) {
                device.drop(DropReason.FILTERED_OUTBOUND);
                batch.drop(i);
                continue;
            }
            if (!p.prepareSeal(batch, i, w, mtu, now)) {
                p.stage(buf, PacketBatch.HEADROOM, len);
                batch.drop(i);
                p.sendStagedPackets();
                continue;
            }
            if (batch.endpoint(i) != null && p != lastPeer) {
                lastPeer = p;
                touched = w.touch(p, touched);
            }
        }
        device.cryptoPool.run(
                n,
                (i, c) -> {
                    if (w.keys[i] != null) {
                        c.seal(w.keys[i], w.counters[i], batch.buffer(i), Messages.TRANSPORT_HEADER_SIZE, w.lengths[i]);
                    }
                },
                w.cipher);
        w.clear(n);
        try {
            device.bind.send(batch);
        } catch (IOException | RuntimeException e) {
            device.drop(DropReason.SEND_FAILED);
            log.debug("{}: send failed: {}", device.name(), e.toString());
        }
        for (int j = 0; j < touched; j++) {
            w.peers[j].afterDataSent();
            w.peers[j] = null;
        }
    }

    /** The filter's verdict; a filter that throws refuses the packet (fail closed). */
    private boolean accepts(PacketFilter filter, Peer p, byte[] buf, int len) {
        try {
            return filter.outbound(p.publicKey, buf, PacketBatch.HEADROOM, len) == PacketFilter.Verdict.ACCEPT;
        } catch (RuntimeException e) {
            device.filterFailed(e);
            return false;
        }
    }
}
