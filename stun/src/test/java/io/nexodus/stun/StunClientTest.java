package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Transaction logic on a virtual clock: exact retransmission times, no sleeping. */
class StunClientTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);
    private static final InetSocketAddress MAPPED = new InetSocketAddress(InetAddress.getLoopbackAddress(), 51820);

    private final VirtualClock clock = new VirtualClock();
    private final List<Long> sendTimes = new CopyOnWriteArrayList<>();
    private final List<StunMessage> sent = new CopyOnWriteArrayList<>();
    private StunClient client;

    /** A fake network: {@code server} decides per request (0-based index) what comes back and after how long. */
    private record Reply(long delayMs, ByteBuffer datagram) {}

    private StunClient client(StunClientConfig config, Function<Integer, Reply> server) {
        StunTransport transport = (datagram, to) -> {
            sendTimes.add(clock.nanoTime());
            StunMessage m = ((StunParseResult.Parsed) StunCodec.decode(datagram)).message();
            sent.add(m);
            Reply reply = server.apply(sent.size() - 1);
            if (reply != null) {
                clock.after(Duration.ofMillis(reply.delayMs).toNanos(), () -> client.deliver(reply.datagram, to));
            }
        };
        client = new StunClient(transport, config, clock, new Random(7), null);
        return client;
    }

    private static ByteBuffer successFor(StunMessage request) {
        return StunCodec.encode(new StunMessage(
                StunMessageType.BINDING_SUCCESS, request.transactionId(), List.of(new XorMappedAddress(MAPPED)), true));
    }

    private long offsetMs(int i) {
        return Duration.ofNanos(sendTimes.get(i) - sendTimes.getFirst()).toMillis();
    }

    @Test
    void requestIsAFingerprintedBindingRequestWithSoftware() throws Exception {
        client(StunClientConfig.defaults(), i -> new Reply(10, successFor(sent.get(i))));
        BindingResult r = client.bind(SERVER);
        assertThat(r).isEqualTo(new BindingResult.Success(SERVER, MAPPED, 1, Duration.ofMillis(10)));
        StunMessage request = sent.getFirst();
        assertThat(request.type()).isEqualTo(StunMessageType.BINDING_REQUEST);
        assertThat(request.isClassic()).isFalse();
        assertThat(request.fingerprint()).isTrue();
        assertThat(request.attributes()).containsExactly(new Software("nexodus"));
    }

    @Test
    void retransmitsOnTheRfcScheduleWithTheSameTransactionId() throws Exception {
        // the first two requests are lost; the third is answered 40 ms later
        client(StunClientConfig.defaults(), i -> i < 2 ? null : new Reply(40, successFor(sent.get(i))));
        BindingResult r = client.bind(SERVER);
        assertThat(r).isInstanceOf(BindingResult.Success.class);
        assertThat(((BindingResult.Success) r).attempts()).isEqualTo(3);
        assertThat(((BindingResult.Success) r).elapsed()).isEqualTo(Duration.ofMillis(1540));
        assertThat(List.of(offsetMs(0), offsetMs(1), offsetMs(2))).containsExactly(0L, 500L, 1500L);
        assertThat(sent)
                .extracting(StunMessage::transactionId)
                .containsOnly(sent.getFirst().transactionId());
    }

    @Test
    void aLateAnswerToAnEarlierSendStillCounts() throws Exception {
        // the first request's answer takes 700 ms: it arrives after the retransmission at 500 ms
        client(StunClientConfig.defaults(), i -> i == 0 ? new Reply(700, successFor(sent.get(i))) : null);
        BindingResult r = client.bind(SERVER);
        assertThat(r).isEqualTo(new BindingResult.Success(SERVER, MAPPED, 2, Duration.ofMillis(700)));
    }

    @Test
    void givesUpAtTheTimeout() throws Exception {
        client(StunClientConfig.defaults(), i -> null);
        BindingResult r = client.bind(SERVER);
        assertThat(r).isEqualTo(new BindingResult.Timeout(SERVER, 4, Duration.ofSeconds(5)));
        assertThat(List.of(offsetMs(0), offsetMs(1), offsetMs(2), offsetMs(3))).containsExactly(0L, 500L, 1500L, 3500L);
    }

    @Test
    void errorResponseEndsTheTransaction() throws Exception {
        client(
                StunClientConfig.defaults(),
                i -> new Reply(
                        5,
                        StunCodec.encode(new StunMessage(
                                StunMessageType.BINDING_ERROR,
                                sent.get(i).transactionId(),
                                List.of(
                                        new ErrorCode(420, "Unknown Attribute"),
                                        new UnknownAttributes(List.of(0x8022))),
                                false))));
        assertThat(client.bind(SERVER)).isEqualTo(new BindingResult.ErrorResponse(SERVER, 420, "Unknown Attribute"));
    }

    @Test
    void forgedOrCorruptAnswersAreIgnored() throws Exception {
        List<Boolean> accepted = new ArrayList<>();
        client(StunClientConfig.defaults().withTimeout(Duration.ofSeconds(1)), i -> null);
        // while the transaction is open, offer answers the client must reject
        clock.after(Duration.ofMillis(100).toNanos(), () -> {
            StunMessage request = sent.getFirst();
            ByteBuffer good = successFor(request);
            byte[] corrupt = new byte[good.remaining()];
            good.duplicate().get(corrupt);
            corrupt[corrupt.length - 1] ^= 1; // bad FINGERPRINT
            accepted.add(client.deliver(ByteBuffer.wrap(corrupt), SERVER));
            accepted.add(
                    client.deliver(successFor(StunMessage.bindingRequest(new TransactionId(new byte[12]))), SERVER));
            accepted.add(client.deliver(
                    StunCodec.encode(new StunMessage(
                            StunMessageType.BINDING_REQUEST, request.transactionId(), List.of(), false)),
                    SERVER));
            accepted.add(client.deliver(ByteBuffer.wrap(new byte[148]), SERVER));
        });
        BindingResult r = client.bind(SERVER);
        assertThat(accepted).containsExactly(false, false, false, false);
        assertThat(client.droppedCount()).isEqualTo(3);
        assertThat(r).isInstanceOf(BindingResult.Timeout.class);
    }

    @Test
    void successWithoutAddressIsAFailure() throws Exception {
        client(
                StunClientConfig.defaults(),
                i -> new Reply(
                        1,
                        StunCodec.encode(new StunMessage(
                                StunMessageType.BINDING_SUCCESS, sent.get(i).transactionId(), List.of(), false))));
        assertThat(client.bind(SERVER)).isInstanceOf(BindingResult.Failure.class);
    }

    @Test
    void fallsBackToMappedAddress() throws Exception {
        client(
                StunClientConfig.defaults(),
                i -> new Reply(
                        1,
                        StunCodec.encode(new StunMessage(
                                StunMessageType.BINDING_SUCCESS,
                                sent.get(i).transactionId(),
                                List.of(new MappedAddress(MAPPED)),
                                false))));
        assertThat(client.bind(SERVER).mappedAddress()).contains(MAPPED);
    }

    @Test
    void sendFailuresOnEveryAttemptAreAFailure() throws Exception {
        client = new StunClient(
                (d, t) -> {
                    throw new IOException("Network is unreachable");
                },
                StunClientConfig.defaults(),
                clock,
                new Random(1),
                null);
        BindingResult r = client.bind(SERVER);
        assertThat(r).isInstanceOf(BindingResult.Failure.class);
        assertThat(((BindingResult.Failure) r).reason()).contains("Network is unreachable");
    }

    @Test
    void closeEndsTransactionsInFlight() throws Exception {
        // real clock: the transaction is waiting for an answer that never comes; close() ends it
        var firstSend = new CountDownLatch(1);
        StunClient real = new StunClient(
                (d, t) -> firstSend.countDown(), StunClientConfig.defaults().withTimeout(Duration.ofSeconds(30)));
        var result = real.bindAsync(SERVER);
        firstSend.await();
        real.close();
        assertThat(result.get()).isEqualTo(new BindingResult.Failure(SERVER, "STUN client is closed"));
        assertThat(real.bind(SERVER)).isInstanceOf(BindingResult.Failure.class);
    }
}
