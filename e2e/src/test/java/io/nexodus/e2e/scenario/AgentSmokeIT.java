package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A quick manual check while developing (not part of the suite's promises): a service restart under two agents. */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg"})
class AgentSmokeIT {
    @Test
    void agentsSurviveAServiceRestart() throws Exception {
        try (NatLab lab = StandardLab.build(Path.of("target", "natlab", "AgentSmokeIT"));
             LabService svc = LabService.start(lab, lab.host(SERVICE))) {
            var admin = svc.admin();
            var me = admin.users().me();
            Vpc vpc = admin.vpcs().create(new AddVpc(me.id(), "smoke", false, null, null));
            RegKey rk = admin.regKeys().create(new AddRegKey(vpc.id(), null, "smoke", false, null, null, null));
            LabAgent a = LabAgent.on(lab.host(PUB_A), svc, rk.bearerToken()).start();
            LabAgent b = LabAgent.on(lab.host(PUB_B), svc, rk.bearerToken()).start();
            LabAgent c = LabAgent.on(lab.host(EASY_A), svc, rk.bearerToken()).start();
            a.awaitRunning(Duration.ofSeconds(60));
            b.awaitRunning(Duration.ofSeconds(60));
            c.awaitRunning(Duration.ofSeconds(60));
            Thread.sleep(4000);
            System.out.println("BEFORE KILL: " + svc.admin().devices().list(io.nexodus.api.client.ListOptions.NONE).items().size());
            svc.kill();
            svc.restart();
            Thread.sleep(8000);
            System.out.println(a.process().output());
            System.out.println("AFTER RESTART: " + svc.admin().devices().list(io.nexodus.api.client.ListOptions.NONE).items().size());
            assertThat(a.process().output()).doesNotContain("invalid device token");
        }
    }
}
