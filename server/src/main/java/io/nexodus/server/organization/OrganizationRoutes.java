package io.nexodus.server.organization;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.UserOrganization;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/organizations} and their members: HTTP in and out; the rules are in {@link Organizations}. */
public final class OrganizationRoutes {
    private final Organizations organizations;

    public OrganizationRoutes(Organizations organizations) {
        this.organizations = organizations;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/organizations")
                        .tag("Organizations")
                        .summary("Organizations the caller belongs to")
                        .listParams()
                        .returns(new TypeReference<List<Organization>>() {}.getType())
                        .handler(c -> ListReply.of(organizations.list(c.principal()), null)),
                Route.post("/api/organizations")
                        .tag("Organizations")
                        .status(201)
                        .summary("Create an organization (caller becomes owner)")
                        .body(AddOrganization.class)
                        .returns(Organization.class)
                        .errors(400, 405, 409)
                        .handler(c -> organizations.create(c.principal(), c.body(AddOrganization.class))),
                Route.get("/api/organizations/{id}")
                        .tag("Organizations")
                        .summary("Get an organization (member)")
                        .returns(Organization.class)
                        .errors(400, 404)
                        .handler(c -> organizations.get(c.principal(), c.pathId("id"))),
                Route.delete("/api/organizations/{id}")
                        .tag("Organizations")
                        .summary("Delete an organization (owner; not a default one; no devices)")
                        .returns(Organization.class)
                        .errors(400, 403, 404)
                        .handler(c -> organizations.delete(c.principal(), c.pathId("id"))),
                Route.get("/api/organizations/{id}/users")
                        .tag("Organizations")
                        .summary("Members and their roles (member)")
                        .listParams()
                        .returns(new TypeReference<List<UserOrganization>>() {}.getType())
                        .errors(400, 404)
                        .handler(c -> ListReply.of(organizations.members(c.principal(), c.pathId("id")), null)),
                Route.get("/api/organizations/{id}/users/{uid}")
                        .tag("Organizations")
                        .summary("One member (member)")
                        .returns(UserOrganization.class)
                        .errors(400, 404)
                        .handler(c -> organizations.member(c.principal(), c.pathId("id"), c.pathId("uid"))),
                Route.delete("/api/organizations/{id}/users/{uid}")
                        .tag("Organizations")
                        .status(204)
                        .summary("Remove a member with its devices and keys in the organization (owner)")
                        .errors(400, 403, 404, 405)
                        .handler(c -> {
                            organizations.removeMember(c.principal(), c.pathId("id"), c.pathId("uid"));
                            return Reply.noContent();
                        }));
    }
}
