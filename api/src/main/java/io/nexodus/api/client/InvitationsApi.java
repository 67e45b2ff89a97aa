package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Invitation;
import java.util.List;
import java.util.UUID;

/** {@code /api/invitations}: invitations to the caller and from organizations the caller owns. */
public final class InvitationsApi {
    private final NexodusClient c;

    InvitationsApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<Invitation> list(ListOptions options) {
        return c.list("/api/invitations", options, new TypeReference<List<Invitation>>() {});
    }

    public Invitation get(UUID id) {
        return c.call("GET", "/api/invitations/" + id, null, Invitation.class);
    }

    public Invitation create(AddInvitation body) {
        return c.call("POST", "/api/invitations", body, Invitation.class);
    }

    /** Accepts an invitation addressed to the caller: the caller joins the organization with the invited roles. */
    public void accept(UUID id) {
        c.callNoContent("POST", "/api/invitations/" + id + "/accept", null);
    }

    public void delete(UUID id) {
        c.callNoContent("DELETE", "/api/invitations/" + id, null);
    }
}
