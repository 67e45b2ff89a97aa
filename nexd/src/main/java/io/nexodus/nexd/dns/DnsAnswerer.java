package io.nexodus.nexd.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers one DNS query (wire format in, wire format out): names under {@code nexodus.} from the VPC's names,
 * authoritatively; everything else through the {@link Forwarder} (the host's resolvers as they were before nexd
 * changed them). Never throws: a query it cannot parse gets FORMERR when its header is readable and no answer
 * otherwise, as resolvers do with garbage.
 */
final class DnsAnswerer {
    /** How long resolvers may cache a VPC name: devices come and go, so briefly. */
    static final long TTL_SECONDS = 5;

    /**
     * Sends a query to the upstream resolvers, over TCP when the client asked over TCP, and returns their answer, or
     * empty when none answered.
     */
    interface Forwarder {
        Optional<byte[]> forward(byte[] query, boolean tcp) throws IOException;
    }

    private static final Name ZONE = Name.fromConstantString(VpcNames.ZONE + ".");

    private final Supplier<VpcNames> names;
    private final Forwarder forwarder;
    final LongAdder answered = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder forwardFailed = new LongAdder();
    final LongAdder malformed = new LongAdder();

    DnsAnswerer(Supplier<VpcNames> names, Forwarder forwarder) {
        this.names = names;
        this.forwarder = forwarder;
    }

    /** The response to a query that came over UDP, or null to send nothing. */
    byte[] answer(byte[] query) {
        return answer(query, false);
    }

    /**
     * The response to {@code query}, or null to send nothing. Over UDP a local answer is cut to 512 bytes (with the
     * TC flag, so the client asks again over TCP); over TCP it is whole.
     */
    byte[] answer(byte[] query, boolean tcp) {
        Message q;
        try {
            q = new Message(query);
        } catch (IOException | RuntimeException e) {
            malformed.increment();
            return formErr(query);
        }
        Record question = q.getQuestion();
        if (q.getHeader().getFlag(Flags.QR)) {
            malformed.increment();
            return null; // a response sent to us: never answer it (no reflection loops)
        }
        if (q.getHeader().getOpcode() != Opcode.QUERY) {
            return error(q, Rcode.NOTIMP);
        }
        if (question == null || q.getSection(Section.QUESTION).size() != 1) {
            malformed.increment();
            return error(q, Rcode.FORMERR);
        }
        Name name = question.getName();
        if (name.subdomain(ZONE)) {
            return local(q, question, tcp);
        }
        return forward(q, query, tcp);
    }

    private byte[] local(Message q, Record question, boolean tcp) {
        Message r = reply(q);
        r.getHeader().setFlag(Flags.AA);
        Name name = question.getName();
        if (name.equals(ZONE)) {
            answered.increment();
            return r.toWire(); // the zone itself exists and has no addresses
        }
        Optional<VpcNames.Entry> entry = names.get().lookup(name.toString());
        if (entry.isEmpty()) {
            notFound.increment();
            r.getHeader().setRcode(Rcode.NXDOMAIN);
            return r.toWire();
        }
        int type = question.getType();
        if (question.getDClass() == DClass.IN || question.getDClass() == DClass.ANY) {
            if (type == Type.A || type == Type.ANY) {
                for (InetAddress a : entry.get().v4()) {
                    r.addRecord(new ARecord(name, DClass.IN, TTL_SECONDS, a), Section.ANSWER);
                }
            }
            if (type == Type.AAAA || type == Type.ANY) {
                for (InetAddress a : entry.get().v6()) {
                    r.addRecord(new AAAARecord(name, DClass.IN, TTL_SECONDS, a), Section.ANSWER);
                }
            }
        }
        answered.increment(); // other types: the name exists, without records of that type (NODATA)
        return tcp ? r.toWire() : r.toWire(512);
    }

    private byte[] forward(Message q, byte[] query, boolean tcp) {
        try {
            Optional<byte[]> a = forwarder.forward(query, tcp);
            if (a.isPresent()) {
                forwarded.increment();
                return a.get();
            }
        } catch (IOException | RuntimeException e) {
            // counted below: the client gets SERVFAIL and may try its next server
        }
        forwardFailed.increment();
        return error(q, Rcode.SERVFAIL);
    }

    private static Message reply(Message q) {
        Message r = new Message(q.getHeader().getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (q.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        Record question = q.getQuestion();
        if (question != null) {
            r.addRecord(question, Section.QUESTION);
        }
        return r;
    }

    private static byte[] error(Message q, int rcode) {
        Message r = reply(q);
        r.getHeader().setRcode(rcode);
        return r.toWire();
    }

    /** FORMERR for a query whose header at least is readable (12 bytes, not a response); else nothing. */
    private static byte[] formErr(byte[] query) {
        if (query.length < Header.LENGTH || (query[2] & 0x80) != 0) {
            return null;
        }
        byte[] r = new byte[Header.LENGTH];
        r[0] = query[0];
        r[1] = query[1];
        r[2] = (byte) (0x80 | (query[2] & 0x79)); // QR, the opcode and RD of the query
        r[3] = (byte) (0x80 | Rcode.FORMERR); // RA, FORMERR; no sections
        return r;
    }
}
