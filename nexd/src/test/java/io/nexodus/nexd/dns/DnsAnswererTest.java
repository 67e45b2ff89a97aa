package io.nexodus.nexd.dns;

import static io.nexodus.nexd.dns.DnsTestDevices.device;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsAnswererTest {
    private final VpcNames names =
            VpcNames.of(List.of(device("11111111-0000-0000-0000-000000000001", "web", "100.64.0.5", "fd00::5")));
    private final AtomicInteger forwards = new AtomicInteger();
    private final DnsAnswerer answerer = new DnsAnswerer(() -> names, (q, tcp) -> {
        forwards.incrementAndGet();
        Message m = new Message(q);
        Message r = new Message(m.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.addRecord(m.getQuestion(), Section.QUESTION);
        r.addRecord(
                new org.xbill.DNS.ARecord(
                        m.getQuestion().getName(), 1, 60, java.net.InetAddress.ofLiteral("192.0.2.1")),
                Section.ANSWER);
        return Optional.of(r.toWire());
    });

    private static byte[] query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, 1))
                .toWire();
    }

    private Message ask(String name, int type) throws IOException {
        return new Message(answerer.answer(query(name, type)));
    }

    @Test
    void vpcNamesAreAnsweredAuthoritatively() throws IOException {
        Message a = ask("web.nexodus.", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(a.getSection(Section.ANSWER)).singleElement().satisfies(r -> {
            assertThat(r.rdataToString()).isEqualTo("100.64.0.5");
            assertThat(r.getTTL()).isEqualTo(DnsAnswerer.TTL_SECONDS);
        });
        assertThat(ask("WEB.NEXODUS.", Type.AAAA).getSection(Section.ANSWER))
                .singleElement()
                .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("fd00:0:0:0:0:0:0:5"));
        assertThat(ask("web.nexodus.", Type.ANY).getSection(Section.ANSWER)).hasSize(2);
        Message mx = ask("web.nexodus.", Type.MX);
        assertThat(mx.getRcode()).as("NODATA").isEqualTo(Rcode.NOERROR);
        assertThat(mx.getSection(Section.ANSWER)).isEmpty();
        assertThat(ask("nexodus.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(ask("other.nexodus.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(forwards).hasValue(0);
        assertThat(answerer.notFound.sum()).isEqualTo(1);
    }

    @Test
    void otherNamesAreForwardedAndAFailedForwardIsServfail() throws IOException {
        Message a = ask("example.com.", Type.A);
        assertThat(a.getSection(Section.ANSWER))
                .singleElement()
                .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("192.0.2.1"));
        assertThat(forwards).hasValue(1);
        DnsAnswerer failing = new DnsAnswerer(() -> names, (q, tcp) -> Optional.empty());
        Message s = new Message(failing.answer(query("example.com.", Type.A)));
        assertThat(s.getRcode()).isEqualTo(Rcode.SERVFAIL);
        DnsAnswerer throwing = new DnsAnswerer(() -> names, (q, tcp) -> {
            throw new IOException("unreachable");
        });
        assertThat(new Message(throwing.answer(query("example.com.", Type.A))).getRcode())
                .isEqualTo(Rcode.SERVFAIL);
        assertThat(throwing.forwardFailed.sum()).isEqualTo(1);
    }

    @Test
    void garbageNeverThrowsAndResponsesAreNotAnswered() throws IOException {
        assertThat(answerer.answer(new byte[0])).isNull();
        assertThat(answerer.answer(new byte[5])).isNull();
        byte[] junk = new byte[40];
        junk[0] = 0x12;
        junk[1] = 0x34;
        junk[5] = 9; // nine questions that are not there
        byte[] formErr = answerer.answer(junk);
        assertThat(formErr).isNotNull();
        assertThat(formErr[0]).isEqualTo((byte) 0x12);
        assertThat(formErr[3] & 0xf).isEqualTo(Rcode.FORMERR);
        Message response = new Message(query("web.nexodus.", Type.A));
        response.getHeader().setFlag(Flags.QR);
        assertThat(answerer.answer(response.toWire())).as("no reflection").isNull();
        Message notify = new Message(query("web.nexodus.", Type.A));
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertThat(new Message(answerer.answer(notify.toWire())).getRcode()).isEqualTo(Rcode.NOTIMP);
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(80)];
            random.nextBytes(b);
            answerer.answer(b); // never throws
        }
        byte[] good = query("web.nexodus.", Type.A);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            answerer.answer(b);
        }
    }
}
