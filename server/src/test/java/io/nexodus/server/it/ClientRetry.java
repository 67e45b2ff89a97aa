package io.nexodus.server.it;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.UpdateDevice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Retries as the product's clients do, and counts what was retried. nexd's start-up steps (its registration among
 * them) retry on {@code NexodusClientException} — a transport failure (connection refused or reset, TLS failure,
 * timeout) or an answer 5xx/429 — waiting 500 ms, doubling up to 15 s; any other answer is final. A registration
 * whose earlier attempt committed although its answer was lost gets 409 {@code resource already exists} with the
 * device's id on the retry, and nexd then updates that device ({@code PATCH}): that is a success too. The watch
 * streams reconnect by themselves ({@code WatchStream}: 250 ms doubling with equal jitter, nexd's ceiling 5 s).
 */
final class ClientRetry {
    private static final Duration FIRST_WAIT = Duration.ofMillis(500);
    private static final Duration MAX_WAIT = Duration.ofSeconds(15);

    /** Errors that were retried, by kind ({@code transport: <message>} or the HTTP status). */
    final Map<String, LongAdder> retried = new ConcurrentHashMap<>();

    final LongAdder registeredOnRetryAfterCommit = new LongAdder();
    private final Duration giveUpAfter;

    ClientRetry(Duration giveUpAfter) {
        this.giveUpAfter = giveUpAfter;
    }

    /** Thrown when an operation is refused (not retryable) or still failing after {@code giveUpAfter}. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    <T> T call(String what, Supplier<T> op) {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        Duration wait = FIRST_WAIT;
        while (true) {
            try {
                return op.get();
            } catch (ApiTransportException e) {
                count("transport: " + transportKind(e));
                if (System.nanoTime() > deadline) {
                    throw new Failed(what + ": still failing after " + giveUpAfter, e);
                }
            } catch (ApiException e) {
                if (e.status() < 500 && e.status() != 429) {
                    throw e;
                }
                count(Integer.toString(e.status()));
                if (System.nanoTime() > deadline) {
                    throw new Failed(what + ": still failing after " + giveUpAfter, e);
                }
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failed(what + ": interrupted", e);
            }
            wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
        }
    }

    /** nexd's registration: create, or when an earlier attempt of ours committed, update the device it created. */
    Device register(NexodusClient api, AddDevice body) {
        return call("register " + body.hostname(), () -> {
            try {
                return api.devices().create(body);
            } catch (ApiException e) {
                if (e.isConflict()
                        && e.conflictingId().isPresent()
                        && e.body() instanceof ConflictsError c
                        && ConflictsError.MESSAGE.equals(c.error())) {
                    registeredOnRetryAfterCommit.increment();
                    return api.devices()
                            .update(
                                    e.conflictingId().get(),
                                    new UpdateDevice(
                                            null,
                                            null,
                                            body.symmetricNat(),
                                            body.hostname(),
                                            body.endpoints(),
                                            null,
                                            body.relay(),
                                            null));
                }
                throw e;
            }
        });
    }

    long retries() {
        return retried.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The kinds retried, none of which may be a 500 or other non-retryable failure of the service. */
    List<String> kinds() {
        return retried.keySet().stream().sorted().toList();
    }

    private void count(String kind) {
        retried.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static String transportKind(ApiTransportException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("connection refused")) {
            return "connection refused";
        }
        if (m.contains("reset") || m.contains("closed") || m.contains("EOF") || m.contains("header parser")) {
            return "connection reset or closed";
        }
        if (m.contains("timed out")) {
            return "timed out";
        }
        return m.substring(m.lastIndexOf(':') + 1).strip();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        retried.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append(b.isEmpty() ? "" : ", ")
                        .append(e.getValue().sum())
                        .append(" × ")
                        .append(e.getKey()));
        return b.isEmpty() ? "none" : b.toString();
    }
}
