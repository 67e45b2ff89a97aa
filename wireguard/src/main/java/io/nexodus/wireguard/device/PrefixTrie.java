package io.nexodus.wireguard.device;

/**
 * An immutable path-compressed binary trie for longest-prefix match, one per address family. Addresses are held as two
 * longs (IPv4 in the top 32 bits of {@code hi}); a lookup walks at most one node per distinct prefix length on the
 * path and allocates nothing. Built from scratch by {@link AllowedIps} whenever the table changes, then published
 * through a volatile field, so lookups take no lock.
 */
final class PrefixTrie<V> {
    private final Node<V> root;

    private PrefixTrie(Node<V> root) {
        this.root = root;
    }

    static final class Node<V> {
        final long hi;
        final long lo;
        final int bits;
        V value;
        Node<V> zero;
        Node<V> one;

        Node(long hi, long lo, int bits, V value) {
            this.hi = hi;
            this.lo = lo;
            this.bits = bits;
            this.value = value;
        }
    }

    /** A trie under construction. */
    static final class Builder<V> {
        private Node<V> root;

        void insert(long hi, long lo, int bits, V value) {
            root = insert(root, hi, lo, bits, value);
        }

        PrefixTrie<V> build() {
            return new PrefixTrie<>(root);
        }

        private Node<V> insert(Node<V> node, long hi, long lo, int bits, V value) {
            if (node == null) {
                return new Node<>(hi, lo, bits, value);
            }
            int common = Math.min(Math.min(node.bits, bits), commonBits(node.hi, node.lo, hi, lo));
            if (common == node.bits && common == bits) {
                node.value = value;
                return node;
            }
            if (common == node.bits) { // node is a prefix of the new key: descend
                if (bit(hi, lo, node.bits) == 0) {
                    node.zero = insert(node.zero, hi, lo, bits, value);
                } else {
                    node.one = insert(node.one, hi, lo, bits, value);
                }
                return node;
            }
            if (common == bits) { // the new key is a prefix of node: new node above it
                Node<V> n = new Node<>(hi, lo, bits, value);
                attach(n, node);
                return n;
            }
            // They diverge: a valueless branch node at the common length.
            long mhi = maskHi(hi, common);
            long mlo = maskLo(lo, common);
            Node<V> branch = new Node<>(mhi, mlo, common, null);
            attach(branch, node);
            attach(branch, new Node<>(hi, lo, bits, value));
            return branch;
        }

        private static <V> void attach(Node<V> parent, Node<V> child) {
            if (bit(child.hi, child.lo, parent.bits) == 0) {
                parent.zero = child;
            } else {
                parent.one = child;
            }
        }
    }

    /** The value of the longest prefix containing the address, or null. */
    V lookup(long hi, long lo) {
        Node<V> node = root;
        V best = null;
        while (node != null) {
            if (commonBits(node.hi, node.lo, hi, lo) < node.bits) {
                break;
            }
            if (node.value != null) {
                best = node.value;
            }
            if (node.bits == 128) {
                break;
            }
            node = bit(hi, lo, node.bits) == 0 ? node.zero : node.one;
        }
        return best;
    }

    static int commonBits(long ahi, long alo, long bhi, long blo) {
        long x = ahi ^ bhi;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        return 64 + Long.numberOfLeadingZeros(alo ^ blo);
    }

    static int bit(long hi, long lo, int pos) {
        return pos < 64 ? (int) (hi >>> (63 - pos)) & 1 : (int) (lo >>> (127 - pos)) & 1;
    }

    static long maskHi(long hi, int bits) {
        return bits >= 64 ? hi : bits == 0 ? 0 : hi & (-1L << (64 - bits));
    }

    static long maskLo(long lo, int bits) {
        return bits <= 64 ? 0 : bits >= 128 ? lo : lo & (-1L << (128 - bits));
    }
}
