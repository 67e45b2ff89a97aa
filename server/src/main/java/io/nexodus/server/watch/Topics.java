package io.nexodus.server.watch;

import java.util.UUID;

/**
 * Signal topics: {@code <kind>:<vpc id>}, announced after a commit that changed rows of that kind in that VPC,
 * and {@link #ALL} (re-read everything, e.g. after the LISTEN connection was re-established).
 */
public final class Topics {
    public static final String ALL = "*";

    private Topics() {}

    public static String of(String kind, UUID vpcId) {
        return kind + ":" + vpcId;
    }
}
