package io.nexodus.wireguard.device;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Cryptokey routing: which peer owns which prefixes. Outbound packets pick their peer by destination (longest prefix
 * match over all peers); inbound packets must come from a source that maps to the peer they were decrypted for.
 * A prefix belongs to at most one peer: inserting it for another peer moves it. Peers are compared with
 * {@code equals} (for the device's {@link Peer}, identity). Writes rebuild two immutable tries
 * (IPv4, IPv6) under a lock; the data path reads them without locking.
 */
final class AllowedIps<P> {
    private final TreeMap<IpPrefix, P> owners = new TreeMap<>();
    private volatile PrefixTrie<P> v4 = new PrefixTrie.Builder<P>().build();
    private volatile PrefixTrie<P> v6 = new PrefixTrie.Builder<P>().build();

    synchronized void insert(IpPrefix prefix, P peer) {
        owners.put(prefix, peer);
        rebuild();
    }

    /** Removes {@code prefix} only if {@code peer} owns it. */
    synchronized void remove(IpPrefix prefix, P peer) {
        if (Objects.equals(owners.get(prefix), peer)) {
            owners.remove(prefix);
            rebuild();
        }
    }

    synchronized void removeByPeer(P peer) {
        if (owners.values().removeIf(p -> p.equals(peer))) {
            rebuild();
        }
    }

    /** Applies several changes with one rebuild: removals first, then insertions. */
    synchronized void update(P peer, boolean replace, List<IpPrefix> add, List<IpPrefix> remove) {
        if (replace) {
            owners.values().removeIf(p -> p.equals(peer));
        }
        for (IpPrefix r : remove) {
            if (Objects.equals(owners.get(r), peer)) {
                owners.remove(r);
            }
        }
        for (IpPrefix a : add) {
            owners.put(a, peer);
        }
        rebuild();
    }

    synchronized List<IpPrefix> prefixesOf(P peer) {
        List<IpPrefix> out = new ArrayList<>();
        for (Map.Entry<IpPrefix, P> e : owners.entrySet()) {
            if (e.getValue().equals(peer)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    private void rebuild() {
        PrefixTrie.Builder<P> b4 = new PrefixTrie.Builder<>();
        PrefixTrie.Builder<P> b6 = new PrefixTrie.Builder<>();
        for (Map.Entry<IpPrefix, P> e : owners.entrySet()) {
            byte[] a = e.getKey().address().getAddress();
            if (e.getKey().address() instanceof Inet4Address) {
                b4.insert(be32(a, 0) << 32, 0, e.getKey().bits(), e.getValue());
            } else {
                b6.insert(be64(a, 0), be64(a, 8), e.getKey().bits(), e.getValue());
            }
        }
        v4 = b4.build();
        v6 = b6.build();
    }

    /** The peer for an IPv4 address given as an unsigned 32-bit value. */
    P lookupV4(int address) {
        return v4.lookup(((long) address) << 32, 0);
    }

    P lookupV6(long hi, long lo) {
        return v6.lookup(hi, lo);
    }

    /** The peer owning the destination (if {@code destination}) or source address of an IP packet, or null. */
    P lookupPacket(byte[] buf, int off, int len, boolean destination) {
        if (len < 1) {
            return null;
        }
        int version = (buf[off] & 0xff) >>> 4;
        if (version == 4 && len >= 20) {
            return lookupV4((int) be32(buf, off + (destination ? 16 : 12)));
        }
        if (version == 6 && len >= 40) {
            int a = off + (destination ? 24 : 8);
            return lookupV6(be64(buf, a), be64(buf, a + 8));
        }
        return null;
    }

    static long be32(byte[] b, int o) {
        return ((b[o] & 0xffL) << 24) | ((b[o + 1] & 0xffL) << 16) | ((b[o + 2] & 0xffL) << 8) | (b[o + 3] & 0xffL);
    }

    static long be64(byte[] b, int o) {
        return (be32(b, o) << 32) | be32(b, o + 4);
    }
}
