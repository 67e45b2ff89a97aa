package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.User;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.testing.Keys;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a real process ({@code io.nexodus.server.Main serve}): kill -9 loses no committed write (keys,
 * users, devices, addresses, tokens survive a restart), and SIGTERM ends watch streams cleanly.
 */
class ProcessLifecycleIT {
    @TempDir
    Path dir;

    private ChildProcess serve(Path data, int port, Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.nexodus.server.Main",
                "serve",
                "--listen",
                "127.0.0.1:" + port,
                "--data-dir",
                data.toString(),
                "--stun-ports",
                FreePorts.udp() + "," + FreePorts.udp(),
                "--derp-listen",
                "127.0.0.1:" + FreePorts.tcp()));
        ChildProcess p = ChildProcess.start(log, Map.of("NEXAPI_ADMIN_PASSWORD", "crash-test-password"), argv);
        p.awaitOutput("is serving http://127.0.0.1:" + port, Duration.ofSeconds(90));
        p.awaitOutput("DERP:       https://127.0.0.1:", Duration.ofSeconds(10)); // the public relay, own self-signed CA
        return p;
    }

    @Test
    void aKilledServiceComesBackWithTheSameKeysUsersDevicesAndAddresses() throws Exception {
        int port = FreePorts.tcp();
        Path data = dir.resolve("data");
        URI url = URI.create("http://127.0.0.1:" + port);
        String jwks, accessToken;
        User admin;
        List<Device> devices = new ArrayList<>();
        List<Keys> keys = new ArrayList<>();
        RegKey rk;
        try (ChildProcess p = serve(data, port, dir.resolve("run1.log"))) {
            NexodusClient anon = NexodusClient.builder(url).build();
            jwks = get(url + "/device/certs");
            accessToken = OidcClient.discover(anon)
                    .passwordGrant("admin", "crash-test-password")
                    .accessToken();
            NexodusClient api = anon.withToken(() -> accessToken);
            admin = api.users().me();
            rk = api.regKeys().create(new AddRegKey(admin.id(), null, "survives", false, null, null, null));
            NexodusClient viaKey = anon.withToken(() -> rk.bearerToken());
            for (int i = 0; i < 5; i++) {
                Keys k = Keys.generate();
                keys.add(k);
                devices.add(viaKey.devices()
                        .create(new AddDevice(
                                admin.id(), k.publicKey(), null, null, false, false, "dev" + i, null, "linux", null)));
            }
            api.devices().putMetadata(devices.get(0).id(), "relay", Map.of("type", "derp"));
            p.kill(); // SIGKILL right after the last committed write
            assertThat(p.isAlive()).isFalse();
        }
        try (ChildProcess p = serve(data, port, dir.resolve("run2.log"))) {
            assertThat(p.isAlive()).isTrue();
            NexodusClient anon = NexodusClient.builder(url).build();
            assertThat(get(url + "/device/certs")).as("same signing keys").isEqualTo(jwks);
            NexodusClient api = anon.withToken(() -> accessToken); // a token from before the crash still works
            assertThat(api.users().me()).isEqualTo(admin);
            List<Device> after = api.vpcs()
                    .devices(admin.id(), ListOptions.NONE.sort("hostname", false))
                    .items();
            assertThat(after).hasSize(5);
            for (int i = 0; i < 5; i++) {
                Device before = devices.get(i), now = after.get(i);
                assertThat(now.id()).isEqualTo(before.id());
                assertThat(now.ipv4TunnelIps()).isEqualTo(before.ipv4TunnelIps());
                assertThat(now.ipv6TunnelIps()).isEqualTo(before.ipv6TunnelIps());
                assertThat(now.publicKey()).isEqualTo(before.publicKey());
                // the device token sealed before the crash still authenticates
                String dt = SealedToken.open(before.bearerToken(), keys.get(i).privateKey());
                assertThat(anon.withToken(() -> dt).devices().get(before.id()).id())
                        .isEqualTo(before.id());
            }
            assertThat(api.devices()
                            .getMetadata(devices.get(0).id(), "relay")
                            .value()
                            .path("type")
                            .asText())
                    .isEqualTo("derp");
            NexodusClient viaKey = anon.withToken(() -> rk.bearerToken());
            assertThat(viaKey.regKeys().me().id()).isEqualTo(rk.id());
            Device next = viaKey.devices()
                    .create(new AddDevice(
                            admin.id(),
                            Keys.generate().publicKey(),
                            null,
                            null,
                            false,
                            false,
                            "dev5",
                            null,
                            "linux",
                            null));
            assertThat(next.revision())
                    .as("revisions continue")
                    .isGreaterThan(devices.get(4).revision());
            assertThat(after)
                    .extracting(d -> d.ipv4TunnelIps().get(0).address())
                    .doesNotContain(next.ipv4TunnelIps().get(0).address());
            assertThat(Files.readString(dir.resolve("run2.log"))).contains("password as given by --admin-password");
        }
    }

    @Test
    void sigtermEndsWatchStreamsCleanlyAndStops() throws Exception {
        int port = FreePorts.tcp();
        URI url = URI.create("http://127.0.0.1:" + port);
        try (ChildProcess p = serve(dir.resolve("data2"), port, dir.resolve("term.log"))) {
            NexodusClient anon = NexodusClient.builder(url).build();
            String token = OidcClient.discover(anon)
                    .passwordGrant("admin", "crash-test-password")
                    .accessToken();
            NexodusClient api = anon.withToken(() -> token);
            UUID vpc = api.users().me().id();
            WatchConnection w = api.events().open(vpc, null, List.of(new Watch("device", 0, false, Map.of())));
            WatchEvent e = w.next();
            while (e != null && !e.type().equals("tail")) {
                e = w.next();
            }
            assertThat(e).as("the initial list ends with a tail").isNotNull();
            p.process().destroy(); // SIGTERM
            assertThat(w.next()).as("clean end of stream, not a reset").isNull();
            assertThat(p.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.output()).contains("stopped");
        }
        // the service closed the database itself, after its last write: H2 had no error to trace
        Path trace = dir.resolve("data2").resolve("nexodus.trace.db");
        assertThat(trace).as(Files.exists(trace) ? Files.readString(trace) : "").doesNotExist();
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
