package io.nexodus.e2e.scenario;

import io.nexodus.stun.StunServer;
import io.nexodus.stun.StunServerConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A STUN server on the given UDP ports ({@code stun} module), for a service build that does not serve STUN itself.
 * Runs until killed.
 */
public final class LabStunServer {
    private LabStunServer() {}

    public static void main(String[] args) throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String a : args) {
            addresses.add(new InetSocketAddress(Integer.parseInt(a)));
        }
        try (StunServer s = StunServer.start(addresses, StunServerConfig.defaults())) {
            System.out.println("STUN on " + s.localAddresses());
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
