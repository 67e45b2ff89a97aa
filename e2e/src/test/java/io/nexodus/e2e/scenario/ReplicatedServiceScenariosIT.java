package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.EASY_A;
import static io.nexodus.e2e.lab.StandardLab.PUB_A;
import static io.nexodus.e2e.lab.StandardLab.PUB_B;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Vpc;
import io.nexodus.testkit.NginxBalancer;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service as production runs it, under faults, with real agents: three replicas on one PostgreSQL behind nginx
 * ({@link LabService#startReplicated}) on the lab's service host, agents on a public host and behind an easy NAT that
 * know only the balancer's URL. While a ping runs through their tunnel every 50 ms, one replica is killed
 * ({@code kill -9}), a third agent registers and joins while it is down, the replica comes back, and then every
 * replica is restarted in turn (SIGTERM, start, ready) as a rolling upgrade does. The tunnels must not notice: the data
 * plane does not go through the service, and the agents' watch streams and requests move to the live replicas
 * through the balancer. No agent registers again (the device ids stay), the late agent reaches the others, and the
 * longest gap between ping replies is reported (line {@code replicated-lab:}) and bounded.
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping", "runuser"})
class ReplicatedServiceScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", ReplicatedServiceScenariosIT.class.getSimpleName());
    /** Far above one lost ping (50 ms apart), far below a tunnel that had to be set up again (seconds). */
    private static final Duration MAX_GAP = Duration.ofSeconds(1);

    private static ScenarioLab env;

    @BeforeAll
    static void startLabAndReplicas() {
        assertThat(Postgres.available() && NginxBalancer.available())
                .as("PostgreSQL and nginx installed (apt-get install postgresql nginx)")
                .isTrue();
        env = ScenarioLab.start(LOGS, 7600, 3);
    }

    @AfterAll
    static void closeAll() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void tunnelsKeepPassingTrafficWhileReplicasCrashAndRestartOneByOne() {
        LabService service = env.service;
        Vpc vpc = env.newVpcRecord("replicas");
        String rk = env.regKey(vpc, "replicas");
        LabAgent a = env.agent(PUB_A, rk);
        LabAgent b = env.agent(EASY_A, rk);
        awaitRunning(a, b);
        env.assertTransfer(a, b);
        Set<UUID> before = deviceIds(vpc);
        assertThat(before).hasSize(2);

        Instant start = Instant.now();
        try (PingProbe probe = PingProbe.start(a.host(), b.tunnelIp())) {
            assertThat(probe.firstReplyAfter(start, Duration.ofSeconds(5)))
                    .as("a ping reply")
                    .isPresent();
            Instant from = Instant.now();

            long t0 = System.nanoTime();
            service.killReplica(1);
            LabAgent c = env.agent(PUB_B, rk);
            awaitRunning(c);
            awaitTrue(Duration.ofSeconds(30), c + " reaches " + a + " and " + b, () -> reaches(c, a) && reaches(c, b));
            long joinedMs = (System.nanoTime() - t0) / 1_000_000;
            service.startReplica(1);

            long rolling = System.nanoTime();
            for (int i = 0; i < service.replicaCount(); i++) {
                service.stopReplica(i);
                service.startReplica(i);
            }
            long rollingMs = (System.nanoTime() - rolling) / 1_000_000;
            Instant to = Instant.now();

            env.assertTransfer(b, a);
            env.assertTransfer(a, c);
            List<Instant> replies = probe.replies().stream()
                    .filter(t -> !t.isBefore(from) && !t.isAfter(to))
                    .toList();
            Duration longest = Duration.ZERO;
            for (int i = 1; i < replies.size(); i++) {
                Duration gap = Duration.between(replies.get(i - 1), replies.get(i));
                if (gap.compareTo(longest) > 0) {
                    longest = gap;
                }
            }
            long expected = Duration.between(from, to).toMillis() / 50;
            System.out.printf(
                    "replicated-lab: %d ping replies of ~%d over %d ms (kill -9 of a replica, a device joining while it"
                            + " was down in %d ms, a rolling restart of 3 replicas in %d ms); longest gap %d ms%n",
                    replies.size(),
                    expected,
                    Duration.between(from, to).toMillis(),
                    joinedMs,
                    rollingMs,
                    longest.toMillis());
            assertThat(longest).as("longest gap between ping replies").isLessThan(MAX_GAP);
            assertThat(replies.size()).as("ping replies").isGreaterThan((int) (expected * 0.9));
        }
        Set<UUID> after = deviceIds(vpc);
        assertThat(after).as("no agent registered again").containsAll(before).hasSize(3);
    }

    private static boolean reaches(LabAgent from, LabAgent to) {
        return from.host()
                .transfer(to.tunnelIp(), env.sink(to), ScenarioLab.MIB, Duration.ofSeconds(10))
                .ok();
    }

    private static Set<UUID> deviceIds(Vpc vpc) {
        return env.service.admin().vpcs().devices(vpc.id(), ListOptions.NONE).items().stream()
                .map(Device::id)
                .collect(Collectors.toSet());
    }
}
