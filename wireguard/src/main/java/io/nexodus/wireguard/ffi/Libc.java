package io.nexodus.wireguard.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux libc calls this module needs, through the FFM API (no native code of our own). Every call returns its
 * result, or a negative errno on failure, so hot loops handle EAGAIN without exceptions. Calls marked "critical"
 * accept heap segments (zero-copy from byte arrays) and must not block: their file descriptors are non-blocking.
 * <p>
 * x86_64 and aarch64 Linux share the constants and struct layouts used here.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    // errno values
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int EBADFD = 77;
    public static final int EADDRINUSE = 98;
    public static final int ENOBUFS = 105;

    // sockets
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_UDP = 17;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int SOL_UDP = 17;
    public static final int UDP_SEGMENT = 103;
    public static final int UDP_GRO = 104;
    public static final int MSG_DONTWAIT = 0x40;

    // files, poll, eventfd
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle SOCKET = handle("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = handle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = handle("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            handle("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMMSG =
            handle("recvmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle SENDMMSG = handle("sendmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle SENDMSG = handle("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = handle("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EVENTFD = handle("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = handle("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = handle("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = handle("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle READ_CRITICAL = critical("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE_CRITICAL = critical("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle OPEN = variadic("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle IOCTL = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle IOCTL_VALUE = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SETNS = handle("setns", JAVA_INT, JAVA_INT, JAVA_INT);

    private Libc() {}

    @SuppressWarnings("restricted") // binding libc is this class's purpose; the JVM runs with native access enabled
    private static MethodHandle handle(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(
                symbol(name), FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
    }

    @SuppressWarnings("restricted") // binding libc is this class's purpose; the JVM runs with native access enabled
    private static MethodHandle critical(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(
                symbol(name),
                FunctionDescriptor.of(ret, args),
                Linker.Option.critical(true),
                Linker.Option.captureCallState("errno"));
    }

    @SuppressWarnings("restricted") // binding libc is this class's purpose; the JVM runs with native access enabled
    private static MethodHandle variadic(String name, int firstVariadic, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(
                symbol(name),
                FunctionDescriptor.of(ret, args),
                Linker.Option.firstVariadicArg(firstVariadic),
                Linker.Option.captureCallState("errno"));
    }

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static long check(long r, MemorySegment capture) {
        return r >= 0 ? r : -(int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) SOCKET.invokeExact(c, domain, type, protocol), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) BIND.invokeExact(c, fd, addr, len), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int getsockname(int fd, MemorySegment addr, MemorySegment lenPtr) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) GETSOCKNAME.invokeExact(c, fd, addr, lenPtr), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) SETSOCKOPT.invokeExact(c, fd, level, name, value, len), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** setsockopt with an int value; returns 0 or -errno. */
    public static int setsockoptInt(int fd, int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return setsockopt(fd, level, name, v, 4);
        }
    }

    public static int recvmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) RECVMMSG.invokeExact(c, fd, msgvec, vlen, flags, MemorySegment.NULL), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int sendmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) SENDMMSG.invokeExact(c, fd, msgvec, vlen, flags), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            return check((long) SENDMSG.invokeExact(c, fd, msghdr, flags), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** poll(2); timeout in ms (-1 = forever). Blocking: call from a platform thread. */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) POLL.invokeExact(c, fds, (long) nfds, timeoutMillis), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) EVENTFD.invokeExact(c, initval, flags), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int close(int fd) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) CLOSE.invokeExact(c, fd), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** read(2) into native or heap memory (heap only for non-blocking descriptors). */
    public static long read(int fd, MemorySegment buf, long len) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = buf.isNative()
                    ? (long) READ.invokeExact(c, fd, buf, len)
                    : (long) READ_CRITICAL.invokeExact(c, fd, buf, len);
            return check(r, c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** write(2) from native or heap memory (heap only for non-blocking descriptors). */
    public static long write(int fd, MemorySegment buf, long len) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = buf.isNative()
                    ? (long) WRITE.invokeExact(c, fd, buf, len)
                    : (long) WRITE_CRITICAL.invokeExact(c, fd, buf, len);
            return check(r, c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int open(String path, int flags) {
        MemorySegment c = CAPTURE.get();
        try (Arena a = Arena.ofConfined()) {
            return (int) check((int) OPEN.invokeExact(c, a.allocateFrom(path), flags, 0), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) IOCTL.invokeExact(c, fd, request, arg), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** ioctl with an integer argument passed by value (e.g. TUNSETOFFLOAD). */
    public static int ioctlValue(int fd, long request, long value) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) IOCTL_VALUE.invokeExact(c, fd, request, value), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** setns(2): moves the calling thread into the namespace behind {@code fd}. */
    public static int setns(int fd, int nstype) {
        MemorySegment c = CAPTURE.get();
        try {
            return (int) check((int) SETNS.invokeExact(c, fd, nstype), c);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** A short name for an errno value, for messages. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case 13 -> "EACCES";
            case 16 -> "EBUSY";
            case 19 -> "ENODEV";
            case EINVAL -> "EINVAL";
            case 24 -> "EMFILE";
            case EBADFD -> "EBADFD";
            case EMSGSIZE -> "EMSGSIZE";
            case 97 -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 101 -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS";
            case 111 -> "ECONNREFUSED";
            case 113 -> "EHOSTUNREACH";
            default -> "errno " + errno;
        };
    }

    /** An IOException for a failed call: "what: ENAME". */
    public static IOException error(String what, long negErrno) {
        return new IOException(what + ": " + errnoName((int) -negErrno));
    }
}
