package io.nexodus.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Waits for a service started by a test to answer its readiness endpoint. */
final class ServiceReady {
    private ServiceReady() {}

    /** Until {@code ready} answers 200; fails with the process's output if it exits or 90 s pass. */
    static void await(ChildProcess service, URI ready) throws InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            assertThat(service.isAlive()).as("exited:\n%s", service.output()).isTrue();
            try {
                HttpResponse<String> r =
                        client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready after 90 s:\n" + service.output());
    }
}
