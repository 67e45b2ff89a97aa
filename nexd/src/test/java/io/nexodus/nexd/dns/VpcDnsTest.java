package io.nexodus.nexd.dns;

import static io.nexodus.nexd.dns.DnsTestDevices.device;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.Device;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The DNS part on loopback sockets (unprivileged ports), with a fake upstream resolver and a temporary resolv.conf. */
class VpcDnsTest {
    @TempDir
    Path dir;

    @Test
    void answersVpcNamesForwardsTheRestFollowsChangesAndRestoresTheResolverConfiguration() throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        String original = "nameserver 127.0.0.2\noptions timeout:1\n";
        Files.writeString(resolvConf, original);
        AtomicReference<Optional<Collection<Device>>> devices = new AtomicReference<>(Optional.empty());
        AtomicReference<List<InetAddress>> tunnel = new AtomicReference<>(List.of());
        int port = freeUdpPort();
        try (DatagramSocket upstream =
                new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0))) {
            Thread.ofVirtual().start(() -> fakeUpstream(upstream));
            try (VpcDns dns = VpcDns.start(
                    devices::get,
                    tunnel::get,
                    new HostResolver.ResolvConfBlock(resolvConf),
                    port,
                    upstream.getLocalPort())) {
                assertThat(dns.statusLines().getFirst()).contains("not serving yet");
                assertThat(Files.readString(resolvConf)).isEqualTo(original);

                devices.set(Optional.of(
                        List.of(device("11111111-0000-0000-0000-000000000001", "web", "100.64.0.5", null))));
                tunnel.set(List.of(InetAddress.ofLiteral("127.0.0.1")));
                awaitUntil(() -> Files.readString(resolvConf).contains("nameserver 127.0.0.1\n"));
                assertThat(Files.readString(resolvConf)).endsWith(original);
                Message a = ask("127.0.0.1", port, "web.nexodus.", Type.A);
                assertThat(a.getSection(Section.ANSWER))
                        .singleElement()
                        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("100.64.0.5"));
                Message f = ask("127.0.0.1", port, "example.com.", Type.A);
                assertThat(f.getSection(Section.ANSWER))
                        .as("forwarded to the resolver the host had")
                        .singleElement()
                        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("192.0.2.1"));

                // a device joins: its name resolves within a refresh
                devices.set(Optional.of(List.of(
                        device("11111111-0000-0000-0000-000000000001", "web", "100.64.0.5", null),
                        device("22222222-0000-0000-0000-000000000002", "db", "100.64.0.6", null))));
                awaitUntil(() -> ask("127.0.0.1", port, "db.nexodus.", Type.A).getRcode() == Rcode.NOERROR);

                // the tunnel address moves: the server and the resolver follow
                tunnel.set(List.of(InetAddress.ofLiteral("127.0.0.3")));
                awaitUntil(() -> Files.readString(resolvConf).contains("nameserver 127.0.0.3\n"));
                assertThat(ask("127.0.0.3", port, "web.nexodus.", Type.A).getRcode())
                        .isEqualTo(Rcode.NOERROR);

                // another tool rewrites the file: the block comes back
                Files.writeString(resolvConf, original);
                awaitUntil(() -> Files.readString(resolvConf).contains("nameserver 127.0.0.3\n"));
                assertThat(dns.statusLines().getFirst())
                        .contains("2 names under .nexodus on [127.0.0.3:" + port + "]")
                        .contains("forwarded 1 (failed 0)");
            }
            assertThat(Files.readString(resolvConf))
                    .as("put back byte for byte")
                    .isEqualTo(original);
        }
    }

    private static void fakeUpstream(DatagramSocket s) {
        byte[] buf = new byte[2048];
        while (!s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                Message q = new Message(Arrays.copyOf(buf, p.getLength()));
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.addRecord(q.getQuestion(), Section.QUESTION);
                r.addRecord(
                        new ARecord(q.getQuestion().getName(), 1, 60, InetAddress.ofLiteral("192.0.2.1")),
                        Section.ANSWER);
                byte[] w = r.toWire();
                s.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static Message ask(String server, int port, String name, int type) throws IOException {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), type, 1))
                .toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(q, q.length, new InetSocketAddress(InetAddress.ofLiteral(server), port)));
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer from " + server + ":" + port, e);
            }
            return new Message(Arrays.copyOf(buf, p.getLength()));
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
            return s.getLocalPort();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitUntil(Check c) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (c.ok()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within 5 s", last);
    }
}
