package io.nexodus.nexd.agent;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.NexodusClientException;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.UpdateDevice;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the service this device's endpoints ({@code PATCH /api/devices/<id>}) on a virtual thread of its own, retrying
 * with a growing pause (250 ms up to 10 s) until the service accepts them; a newer request replaces one still waiting.
 * The accepted device goes back to the loop as {@link AgentEvent.EndpointsPublished}. The loop never waits for it.
 */
final class EndpointPublisher implements AgentLoop.Publisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPublisher.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(250);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private record Request(NexodusClient asDevice, UUID deviceId, List<Endpoint> endpoints, boolean symmetricNat) {}

    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AgentEvents events;
    private final Thread thread;

    EndpointPublisher(AgentEvents events) {
        this.events = events;
        this.thread = Thread.ofVirtual().name("nexd-push").start(this::run);
    }

    @Override
    public void publish(NexodusClient asDevice, UUID deviceId, List<Endpoint> endpoints, boolean symmetricNat) {
        requests.add(new Request(asDevice, deviceId, List.copyOf(endpoints), symmetricNat));
    }

    private void run() {
        try {
            Request r = requests.take();
            Duration wait = FIRST_RETRY;
            while (true) {
                Request newer = latest();
                if (newer != null) {
                    r = newer;
                }
                try {
                    Device d = r.asDevice()
                            .devices()
                            .update(
                                    r.deviceId(),
                                    UpdateDevice.empty()
                                            .withEndpoints(r.endpoints())
                                            .withSymmetricNat(r.symmetricNat()));
                    log.info("told the service our endpoints: {}", r.endpoints());
                    events.post(new AgentEvent.EndpointsPublished(d.withoutBearerToken()));
                    r = requests.take();
                    wait = FIRST_RETRY;
                } catch (NexodusClientException e) {
                    log.warn(
                            "cannot update our endpoints at the service ({}); retrying in {} ms",
                            e.getMessage(),
                            wait.toMillis());
                    Thread.sleep(wait);
                    wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** The newest waiting request, dropping older ones; null when none waits. */
    private Request latest() {
        Request last = null;
        for (Request r = requests.poll(); r != null; r = requests.poll()) {
            last = r;
        }
        return last;
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
