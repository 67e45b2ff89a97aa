package io.nexodus.server.ipam;

import io.nexodus.api.model.Vpc;
import io.nexodus.server.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a VPC's own address range may be. Refused (400 naming the field): a catch-all range, and any range that
 * overlaps loopback, link-local, multicast or other special-purpose blocks, since devices could not route them
 * through the tunnel without breaking the host. Accepted with a warning: a public (globally routed) range, because
 * the devices of the VPC then reach those internet addresses through the tunnel instead. Overlaps with other VPCs
 * are checked by the caller, which knows the VPCs ({@link #overlapWarning}).
 */
public final class AddressRanges {
    private record Block(Cidr cidr, String name) {}

    private static final List<Block> REFUSED = List.of(
            block("0.0.0.0/8", "\"this network\""),
            block("127.0.0.0/8", "loopback"),
            block("169.254.0.0/16", "link-local"),
            block("224.0.0.0/4", "multicast"),
            block("240.0.0.0/4", "reserved (and broadcast)"),
            block("::/127", "unspecified and loopback"),
            block("fe80::/10", "link-local"),
            block("ff00::/8", "multicast"));

    private static final List<Cidr> PRIVATE = List.of(
            Cidr.parse("10.0.0.0/8"),
            Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"),
            Cidr.parse("100.64.0.0/10"),
            Cidr.parse("fc00::/7"));

    private AddressRanges() {}

    private static Block block(String cidr, String name) {
        return new Block(Cidr.parse(cidr), name);
    }

    /** Throws a 400 naming {@code field} when {@code c} may not be a VPC's range. */
    public static void requireUsable(String field, Cidr c) {
        if (c.isDefaultRoute()) {
            throw ApiError.invalid(field, "a catch-all range (" + c + ") cannot be a VPC's range");
        }
        for (Block b : REFUSED) {
            if (b.cidr().overlaps(c)) {
                throw ApiError.invalid(field, c + " overlaps the " + b.name() + " range " + b.cidr());
            }
        }
    }

    /** A warning when {@code c} is not inside a private (RFC 1918, shared address space or ULA) range. */
    public static Optional<String> publicWarning(String field, Cidr c) {
        for (Cidr p : PRIVATE) {
            if (p.contains(c)) {
                return Optional.empty();
            }
        }
        return Optional.of(field + " " + c + " is a public address range: devices of this VPC will reach those"
                + " internet addresses through the VPC instead");
    }

    /** A warning when {@code c} overlaps {@code other} (the range of {@code what}). */
    public static Optional<String> overlapWarning(String field, Cidr c, String other, String what) {
        if (other == null || other.isBlank()) {
            return Optional.empty();
        }
        Cidr o = Cidr.parse(other);
        return o.overlaps(c)
                ? Optional.of(field + " " + c + " overlaps " + what + " (" + o + "): a device in both cannot tell"
                        + " their addresses apart")
                : Optional.empty();
    }

    /** All warnings for a new private VPC's ranges: public ranges, overlaps with the shared pools and {@code others}. */
    public static List<String> warnings(Cidr v4, Cidr v6, List<Vpc> others) {
        List<String> w = new ArrayList<>();
        publicWarning("ipv4_cidr", v4).ifPresent(w::add);
        publicWarning("ipv6_cidr", v6).ifPresent(w::add);
        overlapWarning("ipv4_cidr", v4, Ipam.SHARED_V4, "the shared IPv4 pool").ifPresent(w::add);
        overlapWarning("ipv6_cidr", v6, Ipam.SHARED_V6, "the shared IPv6 pool").ifPresent(w::add);
        for (Vpc o : others) {
            if (o.privateCidr()) {
                overlapWarning("ipv4_cidr", v4, o.ipv4Cidr(), "VPC " + o.id()).ifPresent(w::add);
                overlapWarning("ipv6_cidr", v6, o.ipv6Cidr(), "VPC " + o.id()).ifPresent(w::add);
            }
        }
        return w;
    }
}
