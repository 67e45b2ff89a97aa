package io.nexodus.server.watch;

import java.util.UUID;

/**
 * Signal topics: {@code <kind>:<vpc id>}, announced after a commit that changed rows of that kind in that VPC;
 * {@code notice.<kind>:<scope>} for the console's notice stream ({@link Notices}: the scope is an organization, a
 * user, or {@link #EVERYONE}); and {@link #ALL} (re-read everything, e.g. after the LISTEN connection was
 * re-established).
 */
public final class Topics {
    public static final String ALL = "*";
    /** The scope of a notice every signed-in user gets (the list it names is filtered when read). */
    public static final UUID EVERYONE = new UUID(0, 0);

    static final String NOTICE_PREFIX = "notice.";

    private Topics() {}

    public static String of(String kind, UUID vpcId) {
        return kind + ":" + vpcId;
    }

    /** A notice of {@code kind} (a {@link io.nexodus.api.model.Notice} kind) to the users {@code scope} stands for. */
    public static String notice(String kind, UUID scope) {
        return NOTICE_PREFIX + kind + ":" + scope;
    }
}
