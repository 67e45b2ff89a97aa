package io.nexodus.e2e.lab;

/** Minimal IPv4 arithmetic for the lab's address plan (dotted quads and CIDR prefixes as plain ints). */
final class Ipv4 {
    private Ipv4() {}

    static int parse(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        int v = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted, e);
            }
            if (octet < 0 || octet > 255 || p.isEmpty() || (p.length() > 1 && p.startsWith("0"))) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    static String format(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** A subnet such as 192.168.1.0/24; the host bits of the given address are cleared. */
    record Subnet(int network, int prefix) {
        Subnet {
            if (prefix < 8 || prefix > 30) {
                throw new IllegalArgumentException("lab subnets must be /8 to /30, got /" + prefix);
            }
            network &= mask(prefix);
        }

        static Subnet parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a CIDR (a.b.c.d/n): " + cidr);
            }
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR (a.b.c.d/n): " + cidr, e);
            }
            return new Subnet(Ipv4.parse(cidr.substring(0, slash)), prefix);
        }

        boolean contains(int address) {
            return (address & mask(prefix)) == network;
        }

        /** The n-th address of the subnet (n = 1 is the first host address). */
        int host(int n) {
            int a = network + n;
            if (!contains(a) || n <= 0 || a == broadcast()) {
                throw new IllegalArgumentException("host " + n + " is outside " + this);
            }
            return a;
        }

        int broadcast() {
            return network | ~mask(prefix);
        }

        private static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        @Override
        public String toString() {
            return format(network) + "/" + prefix;
        }
    }
}
