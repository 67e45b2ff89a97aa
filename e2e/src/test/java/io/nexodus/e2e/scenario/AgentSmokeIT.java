package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.StandardLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg"})
class AgentSmokeIT {
    @Test
    void twoPublicAgents() {
        try (NatLab lab = StandardLab.build(Path.of("target", "natlab", "AgentSmokeIT"));
             LabService svc = LabService.start(lab, lab.host(SERVICE))) {
            var admin = svc.admin();
            var me = admin.users().me();
            Vpc vpc = admin.vpcs().create(new AddVpc(me.id(), "smoke", false, null, null));
            RegKey rk = admin.regKeys().create(new AddRegKey(vpc.id(), null, "smoke", false, null, null, null));
            LabAgent a = LabAgent.on(lab.host(EASY_A), svc, rk.bearerToken()).start();
            LabAgent b = LabAgent.on(lab.host(EASY_B), svc, rk.bearerToken()).start();
            a.awaitRunning(Duration.ofSeconds(60));
            b.awaitRunning(Duration.ofSeconds(60));
            try { Thread.sleep(8000); } catch (InterruptedException e) { }
            System.out.println("A:\n" + a.wgDump() + "\nB:\n" + b.wgDump());
            System.out.println("easy1:\n" + lab.gateway(EASY1).exec("conntrack", "-L", "-p", "udp").stdout());
            System.out.println("easy2:\n" + lab.gateway(EASY2).exec("conntrack", "-L", "-p", "udp").stdout());
            System.out.println("easy1 nft:\n" + lab.gateway(EASY1).exec("nft", "list", "ruleset").stdout());
            lab.host(EASY_B).startTransferServer(7000);
            TransferResult r = lab.host(EASY_A).transfer(b.tunnelIp(), 7000, 1 << 20, Duration.ofSeconds(30));
            System.out.println(r);
            System.out.println(a.wgDump());
            assertThat(r.ok()).isTrue();
        }
    }
}
