package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Cryptokey routing: fixed cases (in the spirit of wireguard-go's allowedips_test) and a randomized comparison. */
class AllowedIpsTest {

    private static <V> V lookup(AllowedIps<V> t, String ip) throws Exception {
        byte[] a = InetAddress.getByName(ip).getAddress();
        if (a.length == 4) {
            return t.lookupV4((int) AllowedIps.be32(a, 0));
        }
        return t.lookupV6(AllowedIps.be64(a, 0), AllowedIps.be64(a, 8));
    }

    @Test
    void longestPrefixWinsAcrossPeersV4AndV6() throws Exception {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("192.168.4.0/24"), "a");
        t.insert(IpPrefix.parse("192.168.4.4/32"), "b");
        t.insert(IpPrefix.parse("192.168.0.0/16"), "c");
        t.insert(IpPrefix.parse("192.95.5.64/27"), "c");
        t.insert(IpPrefix.parse("192.95.5.65/27"), "c"); // same masked prefix
        t.insert(IpPrefix.parse("0.0.0.0/0"), "d");
        t.insert(IpPrefix.parse("2607:5300:60:6b0::c05f:543/128"), "d");
        t.insert(IpPrefix.parse("2607:5300:60:6b0::/64"), "e");
        t.insert(IpPrefix.parse("::/0"), "f");
        t.insert(IpPrefix.parse("2001:db8::/32"), "g");
        assertThat(lookup(t, "192.168.4.20")).isEqualTo("a");
        assertThat(lookup(t, "192.168.4.0")).isEqualTo("a");
        assertThat(lookup(t, "192.168.4.4")).isEqualTo("b");
        assertThat(lookup(t, "192.168.200.182")).isEqualTo("c");
        assertThat(lookup(t, "192.95.5.68")).isEqualTo("c");
        assertThat(lookup(t, "192.95.5.96")).isEqualTo("d");
        assertThat(lookup(t, "8.8.8.8")).isEqualTo("d");
        assertThat(lookup(t, "2607:5300:60:6b0::c05f:543")).isEqualTo("d");
        assertThat(lookup(t, "2607:5300:60:6b0::c02e:1ee")).isEqualTo("e");
        assertThat(lookup(t, "2607:5300:60:6b1::1")).isEqualTo("f");
        assertThat(lookup(t, "2001:db8:1::1")).isEqualTo("g");
        assertThat(t.prefixesOf("c")).extracting(Object::toString).containsExactly("192.95.5.64/27", "192.168.0.0/16");
    }

    @Test
    void insertingAnOwnedPrefixMovesItAndRemovalIsExactAndPerPeer() throws Exception {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/8"), "a");
        t.insert(IpPrefix.parse("10.0.0.0/8"), "b");
        assertThat(lookup(t, "10.1.2.3")).isEqualTo("b");
        assertThat(t.prefixesOf("a")).isEmpty();
        t.remove(IpPrefix.parse("10.0.0.0/8"), "a"); // not a's: nothing happens
        assertThat(lookup(t, "10.1.2.3")).isEqualTo("b");
        t.remove(IpPrefix.parse("10.0.0.0/9"), "b"); // not exact: nothing happens
        assertThat(lookup(t, "10.1.2.3")).isEqualTo("b");
        t.remove(IpPrefix.parse("10.0.0.0/8"), "b");
        assertThat(lookup(t, "10.1.2.3")).isNull();
        t.update("a", false, List.of(IpPrefix.parse("1.0.0.0/8"), IpPrefix.parse("fd00::/8")), List.of());
        t.update("a", true, List.of(IpPrefix.parse("2.0.0.0/8")), List.of());
        assertThat(lookup(t, "1.1.1.1")).isNull();
        assertThat(lookup(t, "2.1.1.1")).isEqualTo("a");
        t.removeByPeer("a");
        assertThat(lookup(t, "2.1.1.1")).isNull();
    }

    @Test
    void packetLookupReadsDestinationAndSource() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.2/32"), "dst");
        t.insert(IpPrefix.parse("10.0.0.1/32"), "src");
        t.insert(IpPrefix.parse("fd00::2/128"), "dst6");
        byte[] p = Packets.ip("10.0.0.1", "10.0.0.2", 4);
        assertThat(t.lookupPacket(p, 0, p.length, true)).isEqualTo("dst");
        assertThat(t.lookupPacket(p, 0, p.length, false)).isEqualTo("src");
        byte[] p6 = Packets.ip("fd00::1", "fd00::2", 4);
        assertThat(t.lookupPacket(p6, 0, p6.length, true)).isEqualTo("dst6");
        assertThat(t.lookupPacket(p6, 0, 39, true)).isNull();
        assertThat(t.lookupPacket(new byte[] {0x10}, 0, 1, true)).isNull();
    }

    @Test
    void prefixesAreMaskedAndParsed() {
        assertThat(IpPrefix.parse("10.0.0.5/24").toString()).isEqualTo("10.0.0.0/24");
        assertThat(IpPrefix.parse("fd00::1:2/112").toString()).isEqualTo("fd00::1:0/112");
        assertThat(IpPrefix.parse("10.0.0.5").bits()).isEqualTo(32);
        for (String bad : new String[] {"10.0.0.0/33", "::/129", "10.0.0/8", "host/8", "10.0.0.0/", "10.0.0.0/-1"}) {
            Assertions.assertThatThrownBy(() -> IpPrefix.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Random prefixes over few peers, compared with a linear scan over all prefixes. */
    @Test
    void randomizedAgainstSlowReference() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 10; round++) {
            AllowedIps<Integer> t = new AllowedIps<>();
            List<IpPrefix> prefixes = new ArrayList<>();
            List<Integer> owners = new ArrayList<>();
            boolean v6 = round % 2 == 1;
            for (int i = 0; i < 200; i++) {
                byte[] a = new byte[v6 ? 16 : 4];
                r.nextBytes(a);
                a[0] = (byte) (a[0] & 0x0f); // keep prefixes close together so they nest
                int bits = r.nextInt(a.length * 8 + 1);
                IpPrefix p = new IpPrefix(InetAddress.getByAddress(a), bits);
                int peer = r.nextInt(8);
                t.insert(p, peer);
                int existing = prefixes.indexOf(p);
                if (existing >= 0) {
                    owners.set(existing, peer);
                } else {
                    prefixes.add(p);
                    owners.add(peer);
                }
                if (r.nextInt(10) == 0) { // sometimes remove one
                    int k = r.nextInt(prefixes.size());
                    t.remove(prefixes.get(k), owners.get(k));
                    prefixes.remove(k);
                    owners.subList(k, k + 1).clear(); // by index (remove(k) on a List<Integer> reads ambiguously)
                }
            }
            for (int q = 0; q < 2000; q++) {
                byte[] a = new byte[v6 ? 16 : 4];
                r.nextBytes(a);
                a[0] = (byte) (a[0] & 0x0f);
                InetAddress ip = InetAddress.getByAddress(a);
                Integer expected = null;
                int best = -1;
                for (int k = 0; k < prefixes.size(); k++) {
                    if (prefixes.get(k).contains(ip) && prefixes.get(k).bits() > best) {
                        best = prefixes.get(k).bits();
                        expected = owners.get(k);
                    }
                }
                assertThat(lookup(t, ip.getHostAddress())).as("lookup %s", ip).isEqualTo(expected);
            }
        }
    }
}
