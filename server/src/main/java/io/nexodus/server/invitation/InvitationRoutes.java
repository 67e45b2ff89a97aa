package io.nexodus.server.invitation;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Invitation;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/invitations}: HTTP in and out; the rules are in {@link Invitations}. */
public final class InvitationRoutes {
    private final Invitations invitations;

    public InvitationRoutes(Invitations invitations) {
        this.invitations = invitations;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/invitations")
                        .tag("Invitations")
                        .summary("Invitations to the caller and from organizations it owns")
                        .listParams()
                        .returns(new TypeReference<List<Invitation>>() {}.getType())
                        .handler(c -> ListReply.of(invitations.list(c.principal()), null)),
                Route.post("/api/invitations")
                        .tag("Invitations")
                        .status(201)
                        .summary("Invite a user (by user_id or email) into an organization (owner)")
                        .body(AddInvitation.class)
                        .returns(Invitation.class)
                        .errors(400, 403, 404, 409)
                        .handler(c -> invitations.create(c.principal(), c.body(AddInvitation.class))),
                Route.get("/api/invitations/{id}")
                        .tag("Invitations")
                        .summary("Get an invitation (invitee or owner)")
                        .returns(Invitation.class)
                        .errors(400, 404)
                        .handler(c -> invitations.get(c.principal(), c.pathId("id"))),
                Route.post("/api/invitations/{id}/accept")
                        .tag("Invitations")
                        .status(204)
                        .summary("Accept an invitation (invitee)")
                        .errors(400, 404)
                        .handler(c -> {
                            invitations.accept(c.principal(), c.pathId("id"));
                            return Reply.noContent();
                        }),
                Route.delete("/api/invitations/{id}")
                        .tag("Invitations")
                        .status(204)
                        .summary("Delete an invitation (invitee or owner)")
                        .errors(400, 404)
                        .handler(c -> {
                            invitations.delete(c.principal(), c.pathId("id"));
                            return Reply.noContent();
                        }));
    }
}
