package io.nexodus.nexd.dns;

import static io.nexodus.nexd.dns.DnsTestDevices.device;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DNS over TCP (RFC 7766) on loopback: framing, pipelining, forwarding whole answers, bad frames, the limit. */
class DnsServerTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private final VpcNames names =
            VpcNames.of(List.of(device("11111111-0000-0000-0000-000000000001", "web", "100.64.0.5", null)));

    private static DnsServer start(DnsAnswerer answerer) throws IOException {
        return DnsServer.start(List.of(new InetSocketAddress(LOOPBACK, 0)), answerer);
    }

    private static Socket connect(DnsServer s) throws IOException {
        Socket c = new Socket();
        c.connect(s.tcpAddresses().getFirst(), 2000);
        c.setSoTimeout(5000);
        return c;
    }

    private static Message read(Socket c) throws IOException {
        DataInputStream in = new DataInputStream(c.getInputStream());
        byte[] m = new byte[in.readUnsignedShort()];
        in.readFully(m);
        return new Message(m);
    }

    private static Message query(String name) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1));
    }

    /**
     * New tunnel addresses restart the server on the same port at once: the closed server must have released its UDP
     * and TCP sockets by then (a socket keeps its port until the thread waiting on it leaves; close waits for them).
     */
    @Test
    void aServerClosedAndStartedAgainOnItsPortGetsTcpBack() throws Exception {
        DnsAnswerer answerer = new DnsAnswerer(() -> names, (q, tcp) -> Optional.empty());
        DnsServer first = start(answerer);
        InetSocketAddress port = (InetSocketAddress) first.localAddresses().getFirst();
        first.close();
        for (int i = 0; i < 50; i++) {
            DnsServer again = DnsServer.start(List.of(port), answerer);
            try {
                assertThat(again.tcpAddresses()).as("TCP on restart %d", i).hasSize(1);
            } finally {
                again.close();
            }
        }
    }

    @Test
    void servesTcpOnTheUdpPortAndAnswersPipelinedQueriesInOrder() throws Exception {
        try (DnsServer s = start(new DnsAnswerer(() -> names, (q, tcp) -> Optional.empty()));
                Socket c = connect(s)) {
            assertThat(((InetSocketAddress) s.tcpAddresses().getFirst()).getPort())
                    .isEqualTo(((InetSocketAddress) s.localAddresses().getFirst()).getPort());
            Message web = query("web.nexodus.");
            Message missing = query("nobody.nexodus.");
            OutputStream out = c.getOutputStream();
            out.write(DnsServer.framed(web.toWire()));
            out.write(DnsServer.framed(missing.toWire()));
            out.flush();
            Message first = read(c);
            Message second = read(c);
            assertThat(first.getHeader().getID()).isEqualTo(web.getHeader().getID());
            assertThat(first.getSection(Section.ANSWER))
                    .singleElement()
                    .satisfies(r -> assertThat(((ARecord) r).getAddress().getHostAddress())
                            .isEqualTo("100.64.0.5"));
            assertThat(second.getHeader().getID()).isEqualTo(missing.getHeader().getID());
            assertThat(second.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(s.tcpQueries.sum()).isEqualTo(2);
        }
    }

    @Test
    void forwardsOverTcpAndReturnsAnAnswerTooLargeForUdpWhole() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 4, LOOPBACK)) {
            Thread.ofVirtual().start(() -> bigAnswers(upstream));
            UpstreamForwarder forwarder = new UpstreamForwarder(
                    List.of(new InetSocketAddress(LOOPBACK, upstream.getLocalPort())), Duration.ofSeconds(2));
            try (DnsServer s = start(new DnsAnswerer(() -> names, forwarder));
                    Socket c = connect(s)) {
                Message q = query("many.example.com.");
                c.getOutputStream().write(DnsServer.framed(q.toWire()));
                Message a = read(c);
                assertThat(a.getHeader().getID()).isEqualTo(q.getHeader().getID());
                assertThat(a.getHeader().getFlag(Flags.TC)).isFalse();
                assertThat(a.getSection(Section.ANSWER)).hasSize(60);
                assertThat(a.toWire().length).isGreaterThan(512);
            }
        }
    }

    /** A TCP resolver whose every answer holds 60 A records (more than a plain UDP answer may carry). */
    private static void bigAnswers(ServerSocket l) {
        while (true) {
            try (Socket c = l.accept()) {
                Message q = read(c);
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.addRecord(q.getQuestion(), Section.QUESTION);
                for (int i = 0; i < 60; i++) {
                    r.addRecord(
                            new ARecord(q.getQuestion().getName(), 1, 60, InetAddress.ofLiteral("192.0.2." + i)),
                            Section.ANSWER);
                }
                c.getOutputStream().write(DnsServer.framed(r.toWire()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void badFramesEndOnlyTheirConnection() throws Exception {
        DnsAnswerer answerer = new DnsAnswerer(() -> names, (q, tcp) -> Optional.empty());
        try (DnsServer s = start(answerer)) {
            try (Socket c = connect(s)) {
                c.getOutputStream().write(new byte[] {0, 1, 7}); // a one-byte "message"
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket c = connect(s)) {
                c.getOutputStream().write(new byte[] {0, 100, 1, 2, 3}); // cut off mid-frame
                c.shutdownOutput();
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket c = connect(s)) {
                byte[] junk = new byte[20]; // a readable header, nothing else: FORMERR
                junk[0] = 0x12;
                junk[1] = 0x34;
                junk[5] = 5; // five questions that are not there
                c.getOutputStream().write(DnsServer.framed(junk));
                Message a = read(c);
                assertThat(a.getHeader().getID()).isEqualTo(0x1234);
                assertThat(a.getRcode()).isEqualTo(Rcode.FORMERR);
            }
            assertThat(answerer.malformed.sum()).isEqualTo(2);
            try (Socket c = connect(s)) {
                c.getOutputStream().write(DnsServer.framed(query("web.nexodus.").toWire()));
                assertThat(read(c).getRcode()).isEqualTo(Rcode.NOERROR);
            }
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndCounted() throws Exception {
        try (DnsServer s = start(new DnsAnswerer(() -> names, (q, tcp) -> Optional.empty()))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < DnsServer.MAX_TCP_CONNECTIONS; i++) {
                    Socket c = connect(s);
                    held.add(c);
                    c.getOutputStream()
                            .write(DnsServer.framed(query("web.nexodus.").toWire()));
                    read(c); // served, so it holds a slot
                }
                try (Socket extra = connect(s)) {
                    assertThat(extra.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(s.dropped.sum()).isEqualTo(1);
                held.removeFirst().close();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                Message a = null;
                while (a == null && System.nanoTime() < deadline) {
                    try (Socket again = connect(s)) {
                        again.getOutputStream()
                                .write(DnsServer.framed(query("web.nexodus.").toWire()));
                        a = read(again);
                    } catch (IOException e) {
                        Thread.sleep(20); // the closed connection's slot is not free yet
                    }
                }
                assertThat(a).isNotNull();
                assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
            } finally {
                for (Socket c : held) {
                    c.close();
                }
            }
        }
    }
}
