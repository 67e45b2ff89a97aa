package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * This agent as the peering logic sees it.
 *
 * @param publicKey    our WireGuard public key (base64)
 * @param relay        we are the VPC's WireGuard relay ({@code nexd relay})
 * @param symmetricNat our STUN verdict: symmetric NAT, or no STUN answer at all (then peers cannot reach us at a
 *                     reflexive address either)
 * @param relayOnly    {@code --relay-only}: reach every ordinary peer through the relay
 * @param reflexiveIp  our reflexive IP (to recognise peers behind the same NAT)
 * @param vpcCidrs     the VPC's IPv4 and IPv6 CIDRs (the relay peer's allowed IPs)
 * @param portsInTurn  our symmetric NAT hands out its ports in turn (its STUN answers lie close together), so a peer
 *                     behind an easy NAT can predict our mapping towards it and open its NAT for it
 */
public record SelfInfo(
        String publicKey,
        boolean relay,
        boolean symmetricNat,
        boolean relayOnly,
        Optional<InetAddress> reflexiveIp,
        List<String> vpcCidrs,
        boolean portsInTurn) {
    public SelfInfo {
        vpcCidrs = List.copyOf(vpcCidrs);
    }

    /** Peers can only reach us through a relay. */
    public boolean needsRelay() {
        return symmetricNat || relayOnly;
    }
}
