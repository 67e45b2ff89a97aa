package io.nexodus.derp.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final NodePublicKey K1 = NodePrivateKey.generate().publicKey();
    private static final NodePublicKey K2 = NodePrivateKey.generate().publicKey();

    private static Frame read(String hex, FrameLimits limits) throws Exception {
        return new FrameReader(new ByteArrayInputStream(HEX.parseHex(hex.replace(" ", "")))).readFrame(limits);
    }

    /** derp_test.go TestReadFrameHeader / TestWriteFrameHeader. */
    @Test
    void frameHeaderVectors() throws Exception {
        byte[] send = FrameCodec.encode(new SendPacket(K1, new byte[1024 - 32]));
        assertThat(HEX.formatHex(send, 0, 5)).isEqualTo("0400000400");
        assertThat(HEX.formatHex(FrameCodec.encode(new KeepAlive()))).isEqualTo("0600000000");
        assertThat(read("0600000000", FrameLimits.CLIENT)).isEqualTo(new KeepAlive());
        // 05 ff ff ff ff: a length of 0xffffffff is read as unsigned and refused before any allocation.
        assertThatThrownBy(() -> read("05ffffffff", FrameLimits.CLIENT))
                .isInstanceOfSatisfying(FrameFormatException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FrameFormatException.Kind.OVERSIZED);
                    assertThat(e.length()).isEqualTo(0xffffffffL);
                });
    }

    /** client_test.go TestClientRecv, TestClientSendPing, TestClientSendPong. */
    @Test
    void clientRecvVectors() throws Exception {
        assertThat(read("12 00000008 0102030405060708", FrameLimits.CLIENT)).isEqualTo(new Ping(0x0102030405060708L));
        assertThat(read("13 00000008 0102030405060708", FrameLimits.CLIENT)).isEqualTo(new Pong(0x0102030405060708L));
        assertThat(read("14 00000003 424144", FrameLimits.CLIENT)).isEqualTo(new Health("BAD"));
        assertThat(read("14 00000000", FrameLimits.CLIENT)).isEqualTo(new Health(""));
        assertThat(read("15 00000008 00000001 00000002", FrameLimits.CLIENT)).isEqualTo(new Restarting(1, 2));
        assertThat(HEX.formatHex(FrameCodec.encode(new Ping(0x0102030405060708L))))
                .isEqualTo("12000000080102030405060708");
        assertThat(HEX.formatHex(FrameCodec.encode(new Pong(0x0102030405060708L))))
                .isEqualTo("13000000080102030405060708");
    }

    @Test
    void serverKeyHasMagic() throws Exception {
        byte[] b = FrameCodec.encode(new ServerKey(K1));
        assertThat(HEX.formatHex(b, 0, 13)).isEqualTo("010000002844455250f09f9491");
        // Extra bytes after the key are ignored (future fields).
        byte[] longer = Arrays.copyOf(b, b.length + 4);
        longer[4] = 44;
        assertThat(new FrameReader(new ByteArrayInputStream(longer)).readFrame(FrameLimits.CLIENT))
                .isEqualTo(new ServerKey(K1));
        byte[] noMagic = b.clone();
        noMagic[5] = 'X';
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(noMagic)).readFrame(FrameLimits.CLIENT))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void everyFrameRoundTrips() throws Exception {
        List<Frame> frames = List.of(
                new ServerKey(K1),
                new ClientInfoFrame(K1, new byte[24 + 16 + 5]),
                new ServerInfoFrame(new byte[24 + 16 + 12]),
                new SendPacket(K2, new byte[] {1, 2, 3}),
                new RecvPacket(K1, new byte[0]),
                new ForwardPacket(K1, K2, new byte[] {9}),
                new KeepAlive(),
                new NotePreferred(true),
                new NotePreferred(false),
                new PeerGone(K1, PeerGoneReason.DISCONNECTED),
                new PeerGone(K2, PeerGoneReason.NOT_HERE),
                new PeerPresent(K1, Optional.empty(), 0),
                new PeerPresent(
                        K1,
                        Optional.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 41641)),
                        PeerPresent.FLAG_IS_REGULAR),
                new PeerPresent(
                        K2,
                        Optional.of(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1)),
                        PeerPresent.FLAG_IS_MESH_PEER | PeerPresent.FLAG_NOT_IDEAL),
                new WatchConns(),
                new ClosePeer(K2),
                new Ping(-1L),
                new Pong(42L),
                new Health("relay overloaded ✓"),
                new Restarting(0xffffffffL, 5000));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(all, new BufferPool(64, 1));
        for (Frame f : frames) {
            byte[] enc = FrameCodec.encode(f);
            assertThat(FrameCodec.decode(enc[0] & 0xff, Arrays.copyOfRange(enc, 5, enc.length)))
                    .isEqualTo(f);
            w.write(f);
        }
        w.flush();
        FrameReader r = new FrameReader(new ByteArrayInputStream(all.toByteArray()), 16);
        for (Frame f : frames) {
            assertThat(r.readFrame(FrameLimits.CLIENT)).isEqualTo(f);
        }
        assertThatThrownBy(() -> r.readFrame(FrameLimits.CLIENT)).isInstanceOf(EOFException.class);
    }

    @Test
    void peerPresentIsParsedLenientlyByLength() throws Exception {
        String key = K1.toHex();
        assertThat(read("09 00000020" + key, FrameLimits.CLIENT)).isEqualTo(new PeerPresent(K1, Optional.empty(), 0));
        // v1.58 servers: 50 bytes, no flags byte; IPv4 as ::ffff:a.b.c.d.
        PeerPresent p = (PeerPresent)
                read("09 00000032" + key + "00000000000000000000ffffc6336407" + "a269", FrameLimits.CLIENT);
        assertThat(p.endpoint()).contains(new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 0xa269));
        assertThat(p.flags()).isZero();
        assertThat(HEX.formatHex(FrameCodec.encode(new PeerPresent(K1, p.endpoint(), 1))))
                .isEqualTo("0900000033" + key + "00000000000000000000ffffc6336407a26901");
    }

    @Test
    void peerGoneWithoutReasonMeansDisconnected() throws Exception {
        assertThat(read("08 00000020" + K2.toHex(), FrameLimits.CLIENT))
                .isEqualTo(new PeerGone(K2, PeerGoneReason.DISCONNECTED));
        assertThat(read("08 00000021" + K2.toHex() + "07", FrameLimits.CLIENT))
                .isEqualTo(new PeerGone(K2, new PeerGoneReason(7)));
    }

    @Test
    void unknownFramesAreSkippedAndTheStreamStaysInSync() throws Exception {
        FrameReader r = new FrameReader(new ByteArrayInputStream(HEX.parseHex("0b00000003aabbcc" + "0600000000")), 4);
        assertThat(r.readFrame(FrameLimits.SERVER)).isEqualTo(new Unknown(0x0b, 3));
        assertThat(r.readFrame(FrameLimits.SERVER)).isEqualTo(new KeepAlive());
    }

    @Test
    void serverSideLimitsAndStrictControlFrames() {
        // A packet one byte over 64 KiB is refused from the header alone.
        String tooBig = "04" + HEX.toHexDigits(32 + 65537);
        assertThatThrownBy(() -> read(tooBig, FrameLimits.SERVER))
                .isInstanceOfSatisfying(
                        FrameFormatException.class,
                        e -> assertThat(e.streamInSync()).isFalse());
        assertThatThrownBy(() -> read("12 000003e9", FrameLimits.SERVER)).isInstanceOf(FrameFormatException.class);
        assertThatThrownBy(() -> read("07 00000002 0101", FrameLimits.SERVER)).isInstanceOf(FrameFormatException.class);
        assertThatThrownBy(() -> read("10 00000001 00", FrameLimits.SERVER)).isInstanceOf(FrameFormatException.class);
        assertThatThrownBy(() -> read("02 00100000", FrameLimits.SERVER)).isInstanceOf(FrameFormatException.class);
        // Malformed but consumed: the reader can go on.
        FrameReader r =
                new FrameReader(new ByteArrayInputStream(HEX.parseHex("04 00000002 0102 0600000000".replace(" ", ""))));
        assertThatThrownBy(() -> r.readFrame(FrameLimits.SERVER))
                .isInstanceOfSatisfying(
                        FrameFormatException.class,
                        e -> assertThat(e.streamInSync()).isTrue());
        assertThat(Assertions.catchThrowable(() -> r.readFrame(FrameLimits.SERVER)))
                .isNull();
    }

    /** Random bytes never make the reader throw anything but its two checked exceptions. */
    @Test
    void randomInputOnlyEverGivesTypedErrors() {
        Random rnd = new Random(20261123);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            if (b.length > 4 && rnd.nextBoolean()) { // plausible lengths, so decoders see real payloads
                b[0] = (byte) (1 + rnd.nextInt(0x15));
                b[1] = 0;
                b[2] = 0;
                b[3] = 0;
                b[4] = (byte) rnd.nextInt(b.length);
            }
            for (FrameLimits limits : new FrameLimits[] {FrameLimits.SERVER, FrameLimits.CLIENT}) {
                FrameReader r = new FrameReader(new ByteArrayInputStream(b), 16);
                try {
                    while (true) {
                        r.readFrame(limits);
                    }
                } catch (IOException | FrameFormatException expected) {
                    // typed: EOF or a protocol error
                }
            }
        }
    }

    @Test
    void pingWithExtraBytesEchoesFirstEight() throws Exception {
        assertThat(read("12 0000000a 01020304050607 2a ffff", FrameLimits.SERVER))
                .isEqualTo(new Ping(0x010203040506072aL));
    }

    @Test
    void httpLinesAreStrict() throws Exception {
        FrameReader r = new FrameReader(
                new ByteArrayInputStream(
                        "GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0006".getBytes(StandardCharsets.ISO_8859_1)),
                8);
        assertThat(r.readLine(100)).isEqualTo("GET / HTTP/1.1");
        assertThat(r.readLine(100)).isEqualTo("Host: x");
        assertThat(r.readLine(100)).isEmpty();
        assertThat(r.buffered()).isEqualTo(1); // the byte after the headers stays for the frame decoder
        FrameReader bareLf = new FrameReader(new ByteArrayInputStream("GET /\n".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> bareLf.readLine(100)).isInstanceOf(ProtocolException.class);
        FrameReader longLine =
                new FrameReader(new ByteArrayInputStream("x".repeat(200).getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> longLine.readLine(100)).isInstanceOf(ProtocolException.class);
    }
}
