package io.nexodus.nexd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One flow per client, closed after the idle timeout on a manual clock, and a bounded table. */
class UdpFlowsTest {
    private static final class FakeSocket implements AutoCloseable {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    private final AtomicLong now = new AtomicLong();
    private final List<FakeSocket> opened = new ArrayList<>();
    private final UdpFlows<FakeSocket> flows = new UdpFlows<>(Duration.ofMinutes(1), 2, now::get);

    private FakeSocket flow(int port) throws Exception {
        return flows.flow(
                        new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port),
                        c -> {
                            FakeSocket s = new FakeSocket();
                            opened.add(s);
                            return s;
                        },
                        s -> {})
                .orElse(null);
    }

    @Test
    void aClientKeepsItsFlowUntilItIsIdleForTheTimeout() throws Exception {
        FakeSocket a = flow(1000);
        assertThat(flow(1000)).isSameAs(a);
        now.addAndGet(Duration.ofSeconds(50).toNanos());
        flows.touch(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1000)); // a reply keeps it alive
        now.addAndGet(Duration.ofSeconds(50).toNanos());
        assertThat(flows.expire()).isZero();
        assertThat(a.closed).isFalse();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(flows.expire()).isEqualTo(1);
        assertThat(a.closed).isTrue();
        assertThat(flows.size()).isZero();
        // the client's next datagram opens a new flow
        assertThat(flow(1000)).isNotSameAs(a);
    }

    @Test
    void theTableIsBoundedAndCloseClosesEveryFlow() throws Exception {
        flow(1);
        flow(2);
        assertThat(flow(3)).isNull();
        assertThat(opened).hasSize(2);
        flows.close();
        assertThat(opened).allMatch(s -> s.closed);
        assertThat(flow(4)).isNull();
    }

    @Test
    void aFlowWhoseReplyThreadEndedIsForgotten() throws Exception {
        FakeSocket a = flow(7);
        flows.remove(
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 7), new FakeSocket()); // another socket: kept
        assertThat(flows.size()).isEqualTo(1);
        flows.remove(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 7), a);
        assertThat(flows.size()).isZero();
    }
}
