package io.nexodus.server.vpc;

import io.nexodus.api.model.AddVpc;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.AddressRanges;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;

/**
 * The checks of each VPC request body, field by field: a bad field is a 400 ValidationError naming it. A shared-CIDR
 * VPC uses the service's shared prefixes (naming them is allowed); a private one needs an IPv4 CIDR of at most /30
 * and may name an IPv6 CIDR of at most /120, neither a catch-all nor overlapping special-purpose blocks
 * ({@link AddressRanges}). CIDRs come back in canonical text.
 */
final class VpcRequests {
    private VpcRequests() {}

    /** The request normalized; {@code ipv6_cidr} is null when a private VPC needs a random one. */
    static AddVpc validate(AddVpc in) {
        if (in.organizationId() == null) {
            throw ApiError.missing("organization_id");
        }
        String description = in.description() == null ? "" : in.description();
        if (!in.privateCidr()) {
            if (!blank(in.ipv4Cidr())
                    && !Cidr.parse(Ipam.SHARED_V4).toString().equals(canonical(in.ipv4Cidr(), "ipv4_cidr", false))) {
                throw ApiError.invalid(
                        "ipv4_cidr",
                        "a shared-CIDR VPC uses " + Ipam.SHARED_V4 + "; set private_cidr to choose another");
            }
            if (!blank(in.ipv6Cidr())
                    && !Cidr.parse(Ipam.SHARED_V6).toString().equals(canonical(in.ipv6Cidr(), "ipv6_cidr", true))) {
                throw ApiError.invalid(
                        "ipv6_cidr",
                        "a shared-CIDR VPC uses " + Ipam.SHARED_V6 + "; set private_cidr to choose another");
            }
            return new AddVpc(in.organizationId(), description, false, Ipam.SHARED_V4, Ipam.SHARED_V6);
        }
        if (blank(in.ipv4Cidr())) {
            throw ApiError.missing("ipv4_cidr");
        }
        String v4 = canonical(in.ipv4Cidr(), "ipv4_cidr", false);
        AddressRanges.requireUsable("ipv4_cidr", Cidr.parse(v4));
        if (Cidr.parse(v4).prefixLength() > 30) {
            throw ApiError.invalid("ipv4_cidr", "prefix too small (at most /30)");
        }
        String v6 = null;
        if (!blank(in.ipv6Cidr())) {
            v6 = canonical(in.ipv6Cidr(), "ipv6_cidr", true);
            AddressRanges.requireUsable("ipv6_cidr", Cidr.parse(v6));
            if (Cidr.parse(v6).prefixLength() > 120) {
                throw ApiError.invalid("ipv6_cidr", "prefix too small (at most /120)");
            }
        }
        return new AddVpc(in.organizationId(), description, true, v4, v6);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String canonical(String cidr, String field, boolean v6) {
        try {
            Cidr c = Cidr.parse(cidr);
            if (c.v6() != v6) {
                throw new IllegalArgumentException("expected an " + (v6 ? "IPv6" : "IPv4") + " CIDR");
            }
            return c.toString();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(field, e.getMessage());
        }
    }
}
