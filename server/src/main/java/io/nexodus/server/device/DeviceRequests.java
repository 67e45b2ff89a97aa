package io.nexodus.server.device;

import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The checks of each device request body, field by field, before anything is looked up: a bad field is a 400
 * ValidationError naming it. Each returns the request normalized (public key and endpoint addresses stripped, absent
 * host name and OS empty). Rules that need the database (advertised CIDRs against the VPC, the security group) are
 * checked by {@link Devices}.
 */
final class DeviceRequests {
    private DeviceRequests() {}

    static AddDevice validate(AddDevice in) {
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        if (in.publicKey() == null || in.publicKey().isBlank()) {
            throw ApiError.missing("public_key");
        }
        if (!NodePublicKey.isValidBase64(in.publicKey())) {
            throw ApiError.invalid("public_key", "not a base64 WireGuard public key");
        }
        if (in.ipv4TunnelIps() != null && in.ipv4TunnelIps().size() > 1) {
            throw ApiError.invalid("ipv4_tunnel_ips", "at most one address may be requested");
        }
        String requested = requestedAddress(in);
        if (requested != null) {
            try {
                if (Cidr.host(requested).v6()) {
                    throw new IllegalArgumentException("IPv4 only");
                }
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("ipv4_tunnel_ips", "requested address is not an IPv4 address: " + requested);
            }
        }
        return new AddDevice(
                in.vpcId(),
                in.publicKey().strip(),
                in.advertiseCidrs(),
                in.ipv4TunnelIps(),
                in.relay(),
                in.symmetricNat(),
                nz(in.hostname()),
                endpoints(in.endpoints()),
                nz(in.os()),
                in.securityGroupId());
    }

    /** Absent fields stay null (unchanged). */
    static UpdateDevice validate(UpdateDevice in) {
        return new UpdateDevice(
                in.vpcId(),
                in.advertiseCidrs(),
                in.symmetricNat(),
                in.hostname(),
                in.endpoints() == null ? null : endpoints(in.endpoints()),
                in.revision(),
                in.relay(),
                in.securityGroupId());
    }

    /** The IPv4 address the device asks for, or null. */
    static String requestedAddress(AddDevice in) {
        if (in.ipv4TunnelIps() == null || in.ipv4TunnelIps().isEmpty()) {
            return null;
        }
        TunnelIp ip = in.ipv4TunnelIps().get(0);
        if (ip == null) {
            throw ApiError.invalid("ipv4_tunnel_ips[0]", "an address object is required");
        }
        return ip.address() == null || ip.address().isBlank() ? null : ip.address();
    }

    private static List<Endpoint> endpoints(List<Endpoint> in) {
        if (in == null) {
            return List.of();
        }
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : in) {
            if (e == null || e.address() == null || e.address().isBlank()) {
                throw ApiError.invalid("endpoints", "every endpoint needs an address");
            }
            out.add(new Endpoint(
                    Objects.requireNonNullElse(e.source(), ""), e.address().strip()));
        }
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
