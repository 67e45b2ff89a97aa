package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.bind.PacketBatch;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive path (wireguard-go's {@code receive.go}): a batch of datagrams from the bind is classified; handshake
 * messages are copied to the {@link IncomingHandshakes} queue; transport data is looked up by index and decrypted (the
 * crypto possibly shared with the {@link CryptoPool}), then checked in batch order (replay window, session
 * confirmation, inner packet, allowed-IPs source, {@link PacketFilter}) and written to the TUN in one call.
 * <p>
 * Threads: {@link #receive} runs on the bind's receive thread(s), possibly several at once (one per socket, plus any
 * other transport). Per packet it takes no lock but the replay window's (uncontended) monitor and allocates nothing
 * (handshake messages excepted): the scratch travels with the batch ({@link BatchWork}); roaming, counters and timers
 * are updated once per run of packets from one peer.
 */
final class Inbound {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);

    private final Device device;

    Inbound(Device device) {
        this.device = device;
    }

    void receive(PacketBatch batch) {
        if (device.closing) {
            return;
        }
        int n = batch.count();
        long now = device.scheduler.nanoTime();
        long rejectAfter = device.rejectAfterTimeNanos;
        BatchWork w = BatchWork.of(batch);
        int toDecrypt = 0;
        for (int i = 0; i < n; i++) {
            byte[] buf = batch.buffer(i);
            int off = batch.offset(i);
            int len = batch.length(i);
            w.keypairs[i] = null;
            int type = Messages.classify(buf, off, len);
            if (type == 0) {
                device.drop(DropReason.MALFORMED);
                continue;
            }
            if (type != Messages.TYPE_TRANSPORT) {
                device.handshakes.enqueue(Arrays.copyOfRange(buf, off, off + len), batch.endpoint(i));
                continue;
            }
            IndexTable.Entry e = device.indexTable.lookup(Messages.le32(buf, off + Messages.DATA_RECEIVER));
            Keypair kp = e == null ? null : e.keypair();
            if (kp == null) {
                device.drop(DropReason.UNKNOWN_INDEX);
                continue;
            }
            if (kp.ageNanos(now) >= rejectAfter) {
                device.drop(DropReason.EXPIRED_SESSION);
                continue;
            }
            w.keypairs[i] = kp;
            w.counters[i] = Messages.le64(buf, off + Messages.DATA_COUNTER);
            toDecrypt++;
        }
        if (toDecrypt == 0) {
            return;
        }
        device.cryptoPool.run(
                n,
                (i, c) -> {
                    Keypair kp = w.keypairs[i];
                    if (kp != null) {
                        int off = batch.offset(i) + Messages.TRANSPORT_HEADER_SIZE;
                        w.results[i] = c.open(
                                kp.receiveKey,
                                w.counters[i],
                                batch.buffer(i),
                                off,
                                batch.length(i) - Messages.TRANSPORT_HEADER_SIZE);
                    }
                },
                w.cipher);
        if (deliver(batch, w) > 0) {
            try {
                device.tun.write(batch);
            } catch (IOException | RuntimeException e) {
                if (!device.closing) {
                    log.debug("{}: TUN write failed: {}", device.name(), e.toString());
                }
            }
        }
    }

    /**
     * The in-order checks after decryption: leaves each packet that may go to the TUN as its plain IP packet in the
     * batch (every other packet gets length 0) and returns how many there are.
     */
    private int deliver(PacketBatch batch, BatchWork w) {
        int n = batch.count();
        long rejectAfterMessages = device.timings.rejectAfterMessages();
        PacketFilter filter = device.packetFilter(); // one volatile read per batch; null costs a branch per packet
        int toWrite = 0;
        Peer runPeer = null;
        long runBytes = 0;
        boolean runData = false;
        Endpoint runFrom = null;
        for (int i = 0; i < n; i++) {
            Keypair kp = w.keypairs[i];
            int off = batch.offset(i);
            int len = batch.length(i);
            batch.set(i, off, 0, batch.endpoint(i)); // nothing to write unless the packet turns out to be good
            if (kp == null) {
                continue;
            }
            w.keypairs[i] = null;
            int plain = w.results[i];
            if (plain < 0) {
                device.drop(DropReason.DECRYPT_FAILED);
                continue;
            }
            if (!kp.replay.validate(w.counters[i], rejectAfterMessages)) {
                device.drop(DropReason.REPLAYED);
                continue;
            }
            Peer peer = kp.peer;
            if (peer.stopped) {
                continue;
            }
            if (peer.keypairs.confirm(kp)) {
                peer.timers.handshakeComplete();
                peer.sendStagedPackets();
            }
            if (peer != runPeer) {
                if (runPeer != null) {
                    runPeer.afterReceive(runBytes, runData, runFrom);
                }
                runPeer = peer;
                runBytes = 0;
                runData = false;
            }
            runBytes += len;
            runFrom = batch.endpoint(i);
            if (plain == 0) {
                continue; // keepalive
            }
            runData = true;
            byte[] buf = batch.buffer(i);
            int ip = off + Messages.TRANSPORT_HEADER_SIZE;
            int ipLen = innerPacketLength(buf, ip, plain);
            if (ipLen <= 0) {
                device.drop(DropReason.INVALID_INNER_PACKET);
                continue;
            }
            if (device.allowedIps.lookupPacket(buf, ip, ipLen, false) != peer) {
                device.drop(DropReason.SOURCE_NOT_ALLOWED);
                continue;
            }
            if (filter != null && !accepts(filter, peer, buf, ip, ipLen)) {
                device.drop(DropReason.FILTERED_INBOUND);
                continue;
            }
            batch.set(i, ip, ipLen, batch.endpoint(i));
            toWrite++;
        }
        if (runPeer != null) {
            runPeer.afterReceive(runBytes, runData, runFrom);
        }
        return toWrite;
    }

    /** The filter's verdict; a filter that throws refuses the packet (fail closed). */
    private boolean accepts(PacketFilter filter, Peer peer, byte[] buf, int ip, int ipLen) {
        try {
            return filter.inbound(peer.publicKey, buf, ip, ipLen) == PacketFilter.Verdict.ACCEPT;
        } catch (RuntimeException e) {
            device.filterFailed(e);
            return false;
        }
    }

    /** The length of the IPv4/IPv6 packet at {@code start} (padding trimmed), or 0 if it is not one. */
    static int innerPacketLength(byte[] buf, int start, int plain) {
        int version = (buf[start] & 0xff) >>> 4;
        if (version == 4 && plain >= 20) {
            int ipLen = ((buf[start + 2] & 0xff) << 8) | (buf[start + 3] & 0xff);
            return ipLen >= 20 && ipLen <= plain ? ipLen : 0;
        }
        if (version == 6 && plain >= 40) {
            int ipLen = 40 + (((buf[start + 4] & 0xff) << 8) | (buf[start + 5] & 0xff));
            return ipLen <= plain ? ipLen : 0;
        }
        return 0;
    }
}
