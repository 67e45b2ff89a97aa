package io.nexodus.nexd.dns;

import io.nexodus.api.model.Device;
import io.nexodus.api.model.TunnelIp;
import java.util.List;
import java.util.UUID;

final class DnsTestDevices {
    private DnsTestDevices() {}

    static Device device(String id, String hostname, String v4, String v6) {
        return new Device(
                UUID.fromString(id),
                UUID.randomUUID(),
                UUID.randomUUID(),
                "key-" + id,
                List.of(v4 + "/32"),
                List.of(new TunnelIp(v4, "100.64.0.0/10")),
                v6 == null ? List.of() : List.of(new TunnelIp(v6, "fd00::/64")),
                List.of(),
                false,
                false,
                hostname,
                "linux",
                List.of(),
                1,
                null,
                true,
                null,
                null);
    }
}
