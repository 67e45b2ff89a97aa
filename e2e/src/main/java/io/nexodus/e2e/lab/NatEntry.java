package io.nexodus.e2e.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One translated flow in a gateway's conntrack table: the LAN host's address and port, the remote it talks to, and
 * the public address and port the NAT mapped it to.
 *
 * @param protocol      "udp" or "tcp"
 * @param lanAddress    original source address (the host behind the NAT)
 * @param lanPort       original source port
 * @param remoteAddress destination address
 * @param remotePort    destination port
 * @param publicAddress the address the remote sees
 * @param publicPort    the port the remote sees
 * @param replied       whether the remote has answered (false for conntrack's [UNREPLIED])
 */
public record NatEntry(
        String protocol,
        String lanAddress,
        int lanPort,
        String remoteAddress,
        int remotePort,
        String publicAddress,
        int publicPort,
        boolean replied) {

    /** The public endpoint as {@code address:port}. */
    public String publicEndpoint() {
        return publicAddress + ":" + publicPort;
    }

    /**
     * Parses {@code conntrack -L} output, keeping TCP and UDP flows whose source was translated. Lines it does not
     * understand are skipped.
     */
    static List<NatEntry> parse(String conntrackOutput) {
        List<NatEntry> entries = new ArrayList<>();
        for (String line : conntrackOutput.lines().toList()) {
            parseLine(line).ifPresent(entries::add);
        }
        return entries;
    }

    static Optional<NatEntry> parseLine(String line) {
        String[] f = line.trim().split("\\s+", -1);
        if (f.length < 2 || !(f[0].equals("udp") || f[0].equals("tcp"))) {
            return Optional.empty();
        }
        List<String> src = new ArrayList<>();
        List<String> dst = new ArrayList<>();
        List<Integer> sport = new ArrayList<>();
        List<Integer> dport = new ArrayList<>();
        try {
            for (String t : f) {
                if (t.startsWith("src=")) {
                    src.add(t.substring(4));
                } else if (t.startsWith("dst=")) {
                    dst.add(t.substring(4));
                } else if (t.startsWith("sport=")) {
                    sport.add(Integer.parseInt(t.substring(6)));
                } else if (t.startsWith("dport=")) {
                    dport.add(Integer.parseInt(t.substring(6)));
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (src.size() < 2 || dst.size() < 2 || sport.size() < 2 || dport.size() < 2) {
            return Optional.empty();
        }
        // original: src=lan dst=remote sport=lanPort dport=remotePort; reply: src=remote dst=public ...
        // dport=publicPort
        boolean translated = !src.get(0).equals(dst.get(1)) || !sport.get(0).equals(dport.get(1));
        if (!translated) {
            return Optional.empty();
        }
        return Optional.of(new NatEntry(
                f[0],
                src.get(0),
                sport.get(0),
                dst.get(0),
                dport.get(0),
                dst.get(1),
                dport.get(1),
                !line.contains("[UNREPLIED]")));
    }
}
