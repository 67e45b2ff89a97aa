package io.nexodus.api.model;

import java.util.List;

/** Organization role names. An owner may change the organization; a member may read it and register devices. */
public final class Roles {
    public static final String OWNER = "owner";
    public static final String MEMBER = "member";
    public static final List<String> ALL = List.of(OWNER, MEMBER);

    private Roles() {}
}
