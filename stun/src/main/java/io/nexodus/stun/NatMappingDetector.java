package io.nexodus.stun;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Detects whether the NAT in front of a socket maps it to one public address for every destination
 * (endpoint-independent) or to a new one per destination (endpoint-dependent, "symmetric"): it asks every server, at
 * once, through one {@link StunClient} — so from one local socket — and compares the reflexive addresses.
 * <p>
 * The servers must differ in IP or port. Two ports on one IP (the service's 3478 + 3479) catch
 * address-and-port-dependent mapping (Linux {@code masquerade random-fully}, most "symmetric" NATs); only servers on
 * two IPs also catch a NAT whose mapping depends on the destination address alone.
 */
public final class NatMappingDetector {
    private final StunClient client;

    public NatMappingDetector(StunClient client) {
        this.client = client;
    }

    /** Asks every server (concurrently) and classifies the answers; blocks for at most the client's timeout. */
    public NatMapping detect(List<InetSocketAddress> servers) throws InterruptedException {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no STUN server to ask");
        }
        if (new HashSet<>(servers).size() != servers.size()) {
            throw new IllegalArgumentException("STUN servers must be distinct (IP or port): " + servers);
        }
        List<CompletableFuture<BindingResult>> asked = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            asked.add(client.bindAsync(s));
        }
        List<BindingResult> answers = new ArrayList<>();
        try {
            for (CompletableFuture<BindingResult> f : asked) {
                answers.add(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("STUN transaction failed unexpectedly", e.getCause());
        }
        return NatMapping.of(answers);
    }
}
