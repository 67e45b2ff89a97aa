package io.nexodus.e2e.lab;

import java.nio.file.Path;

/**
 * The topology every NAT lab scenario and the playground use (diagram and scenario map: {@code docs/nat-lab.md}).
 *
 * <pre>
 * internet router: 203.0.113.1/24 (pub) and 198.51.100.1/24 (isp)
 *   public hosts     service .10  relay .20  derp1 .30  derp2 .31  pub-a .40  pub-b .41   (203.0.113.x)
 *   easy1  198.51.100.11  easy NAT       LAN 192.168.1.0/24   easy-a .10
 *   easy2  198.51.100.12  easy NAT       LAN 192.168.1.0/24   easy-b .10   (same private subnet as easy1, as homes are)
 *   sym1   198.51.100.21  symmetric NAT  LAN 192.168.21.0/24  sym-a .10
 *   sym2   198.51.100.22  symmetric NAT  LAN 192.168.22.0/24  sym-b .10
 *   shared 198.51.100.31  easy NAT       LAN 192.168.31.0/24  lan-a .10, lan-b .11 (no hairpinning)
 *   cgn    198.51.100.41  easy NAT       LAN 100.64.0.0/24    home (gateway) 100.64.0.2
 *     home 100.64.0.2     easy NAT       LAN 192.168.42.0/24  dbl-a .10   (double NAT)
 *   fw     198.51.100.51  easy NAT, only TCP 443 out  LAN 192.168.51.0/24  fw-a .10
 * </pre>
 */
public final class StandardLab {
    public static final String SERVICE = "service";
    public static final String RELAY = "relay";
    public static final String DERP1 = "derp1";
    public static final String DERP2 = "derp2";
    public static final String PUB_A = "pub-a";
    public static final String PUB_B = "pub-b";

    public static final String EASY1 = "easy1";
    public static final String EASY2 = "easy2";
    public static final String SYM1 = "sym1";
    public static final String SYM2 = "sym2";
    public static final String SHARED = "shared";
    public static final String CGN = "cgn";
    public static final String HOME = "home";
    public static final String FW = "fw";

    public static final String EASY_A = "easy-a";
    public static final String EASY_B = "easy-b";
    public static final String SYM_A = "sym-a";
    public static final String SYM_B = "sym-b";
    public static final String LAN_A = "lan-a";
    public static final String LAN_B = "lan-b";
    public static final String DBL_A = "dbl-a";
    public static final String FW_A = "fw-a";

    private StandardLab() {}

    /** The standard topology as a builder, to add nodes before building. */
    public static NatLabBuilder builder(Path baseDir) {
        return NatLab.builder(baseDir)
                .publicHost(SERVICE, "203.0.113.10")
                .publicHost(RELAY, "203.0.113.20")
                .publicHost(DERP1, "203.0.113.30")
                .publicHost(DERP2, "203.0.113.31")
                .publicHost(PUB_A, "203.0.113.40")
                .publicHost(PUB_B, "203.0.113.41")
                .gateway(GatewaySpec.of(EASY1, NatMapping.easy())
                        .withWanAddress("198.51.100.11")
                        .withLan("192.168.1.0/24"))
                .hostBehind(EASY_A, EASY1, "192.168.1.10")
                .gateway(GatewaySpec.of(EASY2, NatMapping.easy())
                        .withWanAddress("198.51.100.12")
                        .withLan("192.168.1.0/24"))
                .hostBehind(EASY_B, EASY2, "192.168.1.10")
                .gateway(GatewaySpec.of(SYM1, NatMapping.symmetric())
                        .withWanAddress("198.51.100.21")
                        .withLan("192.168.21.0/24"))
                .hostBehind(SYM_A, SYM1, "192.168.21.10")
                .gateway(GatewaySpec.of(SYM2, NatMapping.symmetric())
                        .withWanAddress("198.51.100.22")
                        .withLan("192.168.22.0/24"))
                .hostBehind(SYM_B, SYM2, "192.168.22.10")
                .gateway(GatewaySpec.of(SHARED, NatMapping.easy())
                        .withWanAddress("198.51.100.31")
                        .withLan("192.168.31.0/24"))
                .hostBehind(LAN_A, SHARED, "192.168.31.10")
                .hostBehind(LAN_B, SHARED, "192.168.31.11")
                .gateway(GatewaySpec.of(CGN, NatMapping.easy())
                        .withWanAddress("198.51.100.41")
                        .withLan("100.64.0.0/24"))
                .gateway(GatewaySpec.of(HOME, NatMapping.easy())
                        .behind(CGN)
                        .withWanAddress("100.64.0.2")
                        .withLan("192.168.42.0/24"))
                .hostBehind(DBL_A, HOME, "192.168.42.10")
                .gateway(GatewaySpec.of(FW, NatMapping.easy())
                        .withEgress(Egress.TCP_443_ONLY)
                        .withWanAddress("198.51.100.51")
                        .withLan("192.168.51.0/24"))
                .hostBehind(FW_A, FW, "192.168.51.10");
    }

    /** Builds the standard topology with its logs under {@code baseDir}. */
    public static NatLab build(Path baseDir) {
        return builder(baseDir).build();
    }
}
