package io.nexodus.nexd.agent;

import io.nexodus.nexd.wg.DatagramPort;
import io.nexodus.nexd.wg.PeerChange;
import io.nexodus.nexd.wg.PeerCounters;
import io.nexodus.nexd.wg.PeerEntry;
import io.nexodus.nexd.wg.WireGuardBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** WireGuard as a map of peer entries: what the reconciler configured, and how many changes it made. */
final class FakeWireGuard implements WireGuardBackend {
    final Map<String, PeerEntry> peers = new LinkedHashMap<>();
    final String publicKey;
    int changes;

    FakeWireGuard(String publicKey) {
        this.publicKey = publicKey;
    }

    @Override
    public String interfaceName() {
        return "wg-test";
    }

    @Override
    public int listenPort() {
        return 51820;
    }

    @Override
    public String publicKey() {
        return publicKey;
    }

    @Override
    public void apply(List<PeerChange> list) {
        for (PeerChange c : list) {
            changes++;
            switch (c) {
                case PeerChange.Upsert u -> peers.put(u.publicKey(), u.entry());
                case PeerChange.Remove r -> peers.remove(r.publicKey());
            }
        }
    }

    @Override
    public Map<String, PeerCounters> peers() {
        Map<String, PeerCounters> out = new LinkedHashMap<>();
        peers.forEach((k, e) -> out.put(k, new PeerCounters(k, "", null, 0, 0, e.allowedIps())));
        return out;
    }

    int fwmark;

    @Override
    public void setFwmark(int mark) {
        fwmark = mark;
    }

    @Override
    public Optional<DatagramPort> sharedSocket() {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {}
}
