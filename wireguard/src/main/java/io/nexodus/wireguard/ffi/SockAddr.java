package io.nexodus.wireguard.ffi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * {@code struct sockaddr_in} (16 bytes) and {@code sockaddr_in6} (28 bytes) in native memory. The family is in host
 * order, the port in network order.
 */
public final class SockAddr {
    public static final int SIZE_IN = 16;
    public static final int SIZE_IN6 = 28;
    /** Room for either. */
    public static final int STORAGE = 32;

    private SockAddr() {}

    /**
     * Writes {@code address} into {@code seg} for a socket of family {@code socketFamily} (an AF_INET6 socket gets
     * IPv4 addresses as v4-mapped). Returns the length to pass to the kernel.
     */
    public static int write(MemorySegment seg, InetSocketAddress address, int socketFamily) {
        InetAddress ip = address.getAddress();
        int port = address.getPort();
        seg.asSlice(0, STORAGE).fill((byte) 0);
        if (socketFamily == Libc.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv6 destination on an IPv4-only socket: " + address);
            }
            seg.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
            putPort(seg, port);
            MemorySegment.copy(ip.getAddress(), 0, seg, JAVA_BYTE, 4, 4);
            return SIZE_IN;
        }
        seg.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET6);
        putPort(seg, port);
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            seg.set(JAVA_BYTE, 8 + 10, (byte) 0xff);
            seg.set(JAVA_BYTE, 8 + 11, (byte) 0xff);
            MemorySegment.copy(b, 0, seg, JAVA_BYTE, 8 + 12, 4);
        } else {
            MemorySegment.copy(b, 0, seg, JAVA_BYTE, 8, 16);
            if (ip instanceof Inet6Address v6) {
                seg.set(JAVA_INT_UNALIGNED, 24, v6.getScopeId());
            }
        }
        return SIZE_IN6;
    }

    /** Writes the wildcard address with {@code port}. */
    public static int writeAny(MemorySegment seg, int port, int family) {
        seg.asSlice(0, STORAGE).fill((byte) 0);
        seg.set(JAVA_SHORT_UNALIGNED, 0, (short) family);
        putPort(seg, port);
        return family == Libc.AF_INET ? SIZE_IN : SIZE_IN6;
    }

    public static int port(MemorySegment seg) {
        return ((seg.get(JAVA_BYTE, 2) & 0xff) << 8) | (seg.get(JAVA_BYTE, 3) & 0xff);
    }

    public static int family(MemorySegment seg) {
        return seg.get(JAVA_SHORT_UNALIGNED, 0) & 0xffff;
    }

    /** Reads an address the kernel wrote (v4-mapped IPv6 comes back as IPv4). */
    public static InetSocketAddress read(MemorySegment seg) {
        int family = family(seg);
        int port = port(seg);
        try {
            if (family == Libc.AF_INET) {
                byte[] b = seg.asSlice(4, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(b), port);
            }
            byte[] b = seg.asSlice(8, 16).toArray(JAVA_BYTE);
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)), port);
            }
            int scope = seg.get(JAVA_INT_UNALIGNED, 24);
            return new InetSocketAddress(
                    scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putPort(MemorySegment seg, int port) {
        seg.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        seg.set(JAVA_BYTE, 3, (byte) port);
    }
}
