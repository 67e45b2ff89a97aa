package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of the notice stream ({@code GET /api/notices}): something of {@code kind} that the caller may read has
 * changed. It carries no data: the client reads the list again through the API, whose rules decide what it sees.
 */
public record Notice(@JsonProperty("kind") String kind) {
    /** The stream is subscribed: a list read after this line misses no change. */
    public static final String READY = "ready";

    public static final String VPCS = "vpcs";
    public static final String REG_KEYS = "reg-keys";
    public static final String INVITATIONS = "invitations";
    /** Organizations the caller belongs to, or their members. */
    public static final String ORGANIZATIONS = "organizations";

    public static final String USERS = "users";
    public static final String RELAYS = "relays";
    /** Anything may have changed (the service lost track of its signals for a moment): read everything again. */
    public static final String ALL = "*";
}
