package io.nexodus.derp.frame;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.frame.Frame.ClientInfoFrame;
import io.nexodus.derp.frame.Frame.ClosePeer;
import io.nexodus.derp.frame.Frame.ForwardPacket;
import io.nexodus.derp.frame.Frame.Health;
import io.nexodus.derp.frame.Frame.KeepAlive;
import io.nexodus.derp.frame.Frame.NotePreferred;
import io.nexodus.derp.frame.Frame.PeerGone;
import io.nexodus.derp.frame.Frame.PeerPresent;
import io.nexodus.derp.frame.Frame.Ping;
import io.nexodus.derp.frame.Frame.Pong;
import io.nexodus.derp.frame.Frame.RecvPacket;
import io.nexodus.derp.frame.Frame.Restarting;
import io.nexodus.derp.frame.Frame.SendPacket;
import io.nexodus.derp.frame.Frame.ServerInfoFrame;
import io.nexodus.derp.frame.Frame.ServerKey;
import io.nexodus.derp.frame.Frame.Unknown;
import io.nexodus.derp.frame.Frame.WatchConns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Frames to bytes and back: {@code [type:1][length:4 BE][payload]}. Decoding is as lenient as Tailscale's receivers
 * for server-to-client frames (extra bytes ignored, a missing PeerGone reason means 0) and as strict as its server for
 * client-to-server control frames (NotePreferred is 1 byte, WatchConns 0, ClosePeer 32).
 */
public final class FrameCodec {
    public static final int HEADER_LENGTH = 5;
    /** "DERP🔑" */
    static final byte[] MAGIC = {0x44, 0x45, 0x52, 0x50, (byte) 0xf0, (byte) 0x9f, (byte) 0x94, (byte) 0x91};

    private static final int KEY = NodePublicKey.LENGTH;

    private FrameCodec() {}

    /** Payload length of {@code f} (without the 5-byte header). */
    public static int payloadLength(Frame f) {
        return switch (f) {
            case ServerKey k -> MAGIC.length + KEY;
            case ClientInfoFrame c -> KEY + c.sealedInfo().length;
            case ServerInfoFrame s -> s.sealedInfo().length;
            case SendPacket p -> KEY + p.packet().length;
            case RecvPacket p -> KEY + p.packet().length;
            case ForwardPacket p -> 2 * KEY + p.packet().length;
            case KeepAlive k -> 0;
            case NotePreferred n -> 1;
            case PeerGone g -> KEY + 1;
            case PeerPresent p -> p.endpoint().isEmpty() && p.flags() == 0 ? KEY : KEY + 16 + 2 + 1;
            case WatchConns w -> 0;
            case ClosePeer c -> KEY;
            case Ping p -> 8;
            case Pong p -> 8;
            case Health h -> h.problem().getBytes(StandardCharsets.UTF_8).length;
            case Restarting r -> 8;
            case Unknown u -> throw new IllegalArgumentException("an unknown frame cannot be encoded");
        };
    }

    /** The whole frame, header included. */
    public static byte[] encode(Frame f) {
        byte[] out = new byte[HEADER_LENGTH + payloadLength(f)];
        encodeInto(f, out, 0);
        return out;
    }

    /** Writes header and payload of {@code f} into {@code dst} at {@code off}; returns the bytes written. */
    public static int encodeInto(Frame f, byte[] dst, int off) {
        int len = payloadLength(f);
        dst[off] = (byte) f.typeCode();
        putInt(dst, off + 1, len);
        int p = off + HEADER_LENGTH;
        switch (f) {
            case ServerKey k -> {
                System.arraycopy(MAGIC, 0, dst, p, MAGIC.length);
                k.key().copyTo(dst, p + MAGIC.length);
            }
            case ClientInfoFrame c -> {
                c.clientKey().copyTo(dst, p);
                System.arraycopy(c.sealedInfo(), 0, dst, p + KEY, c.sealedInfo().length);
            }
            case ServerInfoFrame s -> System.arraycopy(s.sealedInfo(), 0, dst, p, s.sealedInfo().length);
            case SendPacket s -> {
                s.destination().copyTo(dst, p);
                System.arraycopy(s.packet(), 0, dst, p + KEY, s.packet().length);
            }
            case RecvPacket r -> {
                r.source().copyTo(dst, p);
                System.arraycopy(r.packet(), 0, dst, p + KEY, r.packet().length);
            }
            case ForwardPacket fp -> {
                fp.source().copyTo(dst, p);
                fp.destination().copyTo(dst, p + KEY);
                System.arraycopy(fp.packet(), 0, dst, p + 2 * KEY, fp.packet().length);
            }
            case KeepAlive k -> {}
            case NotePreferred n -> dst[p] = (byte) (n.preferred() ? 1 : 0);
            case PeerGone g -> {
                g.peer().copyTo(dst, p);
                dst[p + KEY] = (byte) g.reason().code();
            }
            case PeerPresent pp -> {
                pp.peer().copyTo(dst, p);
                if (len > KEY) {
                    Arrays.fill(dst, p + KEY, p + len, (byte) 0);
                    pp.endpoint().ifPresent(ep -> {
                        byte[] ip16 = toIpv6Mapped(ep.getAddress());
                        System.arraycopy(ip16, 0, dst, p + KEY, 16);
                        dst[p + KEY + 16] = (byte) (ep.getPort() >>> 8);
                        dst[p + KEY + 17] = (byte) ep.getPort();
                    });
                    dst[p + KEY + 18] = (byte) pp.flags();
                }
            }
            case WatchConns w -> {}
            case ClosePeer c -> c.peer().copyTo(dst, p);
            case Ping ping -> putLong(dst, p, ping.data());
            case Pong pong -> putLong(dst, p, pong.data());
            case Health h -> {
                byte[] t = h.problem().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(t, 0, dst, p, t.length);
            }
            case Restarting r -> {
                putInt(dst, p, (int) r.reconnectInMillis());
                putInt(dst, p + 4, (int) r.tryForMillis());
            }
            case Unknown u -> throw new IllegalArgumentException("an unknown frame cannot be encoded");
        }
        return HEADER_LENGTH + len;
    }

    /**
     * Decodes the payload of a frame of type {@code typeCode}. Unknown types give {@link Unknown}. A payload too short
     * (or of the wrong fixed length) for its type is {@link FrameFormatException.Kind#MALFORMED}.
     */
    public static Frame decode(int typeCode, byte[] payload) throws FrameFormatException {
        FrameType t = FrameType.of(typeCode);
        int n = payload.length;
        if (t == null) {
            return new Unknown(typeCode, n);
        }
        return switch (t) {
            case SERVER_KEY -> {
                need(t, n, MAGIC.length + KEY);
                if (!Arrays.equals(payload, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                    throw malformed(t, n, "ServerKey frame without the DERP magic");
                }
                yield new ServerKey(NodePublicKey.fromRaw(payload, MAGIC.length));
            }
            case CLIENT_INFO -> {
                need(t, n, KEY + 24);
                yield new ClientInfoFrame(NodePublicKey.fromRaw(payload, 0), Arrays.copyOfRange(payload, KEY, n));
            }
            case SERVER_INFO -> {
                need(t, n, 24);
                yield new ServerInfoFrame(payload);
            }
            case SEND_PACKET -> {
                need(t, n, KEY);
                yield new SendPacket(NodePublicKey.fromRaw(payload, 0), Arrays.copyOfRange(payload, KEY, n));
            }
            case RECV_PACKET -> {
                need(t, n, KEY);
                yield new RecvPacket(NodePublicKey.fromRaw(payload, 0), Arrays.copyOfRange(payload, KEY, n));
            }
            case FORWARD_PACKET -> {
                need(t, n, 2 * KEY);
                yield new ForwardPacket(
                        NodePublicKey.fromRaw(payload, 0),
                        NodePublicKey.fromRaw(payload, KEY),
                        Arrays.copyOfRange(payload, 2 * KEY, n));
            }
            case KEEP_ALIVE -> new KeepAlive();
            case NOTE_PREFERRED -> {
                exactly(t, n, 1);
                yield new NotePreferred(payload[0] != 0);
            }
            case PEER_GONE -> {
                need(t, n, KEY);
                yield new PeerGone(
                        NodePublicKey.fromRaw(payload, 0), new PeerGoneReason(n > KEY ? payload[KEY] & 0xff : 0));
            }
            case PEER_PRESENT -> {
                need(t, n, KEY);
                Optional<InetSocketAddress> ep = Optional.empty();
                if (n >= KEY + 18) {
                    byte[] ip16 = Arrays.copyOfRange(payload, KEY, KEY + 16);
                    int port = ((payload[KEY + 16] & 0xff) << 8) | (payload[KEY + 17] & 0xff);
                    if (!allZero(ip16)) {
                        try {
                            ep = Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip16), port));
                        } catch (UnknownHostException e) {
                            throw malformed(t, n, "bad PeerPresent address");
                        }
                    }
                }
                int flags = n >= KEY + 19 ? payload[KEY + 18] & 0xff : 0;
                yield new PeerPresent(NodePublicKey.fromRaw(payload, 0), ep, flags);
            }
            case WATCH_CONNS -> {
                exactly(t, n, 0);
                yield new WatchConns();
            }
            case CLOSE_PEER -> {
                exactly(t, n, KEY);
                yield new ClosePeer(NodePublicKey.fromRaw(payload, 0));
            }
            case PING -> {
                need(t, n, 8);
                yield new Ping(getLong(payload, 0));
            }
            case PONG -> {
                need(t, n, 8);
                yield new Pong(getLong(payload, 0));
            }
            case HEALTH -> new Health(new String(payload, StandardCharsets.UTF_8));
            case RESTARTING -> {
                need(t, n, 8);
                yield new Restarting(getInt(payload, 0) & 0xffffffffL, getInt(payload, 4) & 0xffffffffL);
            }
        };
    }

    private static void need(FrameType t, int n, int min) throws FrameFormatException {
        if (n < min) {
            throw malformed(t, n, t + " frame too short: " + n + " < " + min + " bytes");
        }
    }

    private static void exactly(FrameType t, int n, int len) throws FrameFormatException {
        if (n != len) {
            throw malformed(t, n, t + " frame must be " + len + " bytes, got " + n);
        }
    }

    private static FrameFormatException malformed(FrameType t, int n, String msg) {
        return new FrameFormatException(FrameFormatException.Kind.MALFORMED, t.code(), n, msg);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] toIpv6Mapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        }
        return b;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
    }
}
