package io.nexodus.bench.controlplane;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.crypto.SealedTokenException;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.core.key.NodePrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Registers the simulated devices through one registration key ({@code RK:}), {@code concurrency} requests in flight
 * (virtual threads over one JDK HttpClient: a pool of that many HTTP/1.1 connections), and measures the anchor of the
 * registration rate: the same clients doing an authenticated no-op GET ({@code GET /api/reg-keys/me}: the same token
 * check, one small read, no write).
 */
final class Registrar {
    /** Requests done, wall time, and the latency of every request. */
    @SuppressWarnings("ArrayRecordComponent") // one run's measurements, summarized once and never compared
    record Run(int requests, long wallNanos, long[] latencies, int errors, String firstError) {
        double perSecond() {
            return requests / (wallNanos / 1e9);
        }
    }

    private final NexodusClient viaKey;
    private final UUID vpcId;
    private final int concurrency;

    Registrar(NexodusClient viaKey, UUID vpcId, int concurrency) {
        this.viaKey = viaKey;
        this.vpcId = vpcId;
        this.concurrency = concurrency;
    }

    static List<BenchDevice> newDevices(int n) {
        List<BenchDevice> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            NodePrivateKey priv = NodePrivateKey.generate();
            out.add(new BenchDevice(i, priv, priv.publicKey().toBase64()));
        }
        return out;
    }

    /** {@code n} authenticated no-op GETs. */
    Run noOpGets(int n) {
        return run(n, i -> viaKey.regKeys().me());
    }

    /** Registers every device (AddDevice as nexd sends it); tokens are opened afterwards, outside the timed part. */
    Run register(List<BenchDevice> devices) {
        Run r = run(devices.size(), i -> {
            BenchDevice d = devices.get(i);
            Device created = viaKey.devices()
                    .create(new AddDevice(
                            vpcId, d.publicKey, null, null, false, false, d.hostname(), d.endpoints(), "linux", null));
            d.id = created.id();
            d.sealedToken = created.bearerToken();
        });
        devices.parallelStream().filter(d -> d.sealedToken != null).forEach(d -> {
            try {
                d.token = SealedToken.open(d.sealedToken, d.privateKey);
            } catch (SealedTokenException e) {
                throw new IllegalStateException(
                        "cannot open the device token of " + d.hostname() + ": " + e.getMessage(), e);
            }
        });
        return r;
    }

    private interface Request {
        void send(int i) throws Exception;
    }

    private Run run(int n, Request request) {
        long[] lat = new long[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                ex.execute(() -> {
                    for (int i; (i = next.getAndIncrement()) < n; ) {
                        long s = System.nanoTime();
                        try {
                            request.send(i);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                        }
                        lat[i] = System.nanoTime() - s;
                    }
                });
            }
        } // closing the executor waits for every worker
        return new Run(n, System.nanoTime() - t0, lat, errors.get(), firstError.get());
    }
}
