package io.nexodus.server.securitygroup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/security-groups}: HTTP in and out; the rules are in {@link SecurityGroups}. */
public final class SecurityGroupRoutes {
    private final SecurityGroups groups;

    public SecurityGroupRoutes(SecurityGroups groups) {
        this.groups = groups;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/security-groups")
                        .tag("Security Groups")
                        .access(Access.AUTHENTICATED)
                        .summary("List security groups")
                        .listParams()
                        .returns(new TypeReference<List<SecurityGroup>>() {}.getType())
                        .handler(c -> ListReply.of(groups.list(c.principal()), null)),
                Route.post("/api/security-groups")
                        .tag("Security Groups")
                        .status(201)
                        .summary("Create a security group (owner)")
                        .body(AddSecurityGroup.class)
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405, 422)
                        .handler(c -> groups.create(c.principal(), c.body(AddSecurityGroup.class))),
                Route.get("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a security group")
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404)
                        .handler(c -> groups.get(c.principal(), c.pathId("id"))),
                Route.patch("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .summary("Update a security group (owner)")
                        .body(UpdateSecurityGroup.class)
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405, 422)
                        .handler(c -> groups.update(c.principal(), c.pathId("id"), c.body(UpdateSecurityGroup.class))),
                Route.delete("/api/security-groups/{id}")
                        .tag("Security Groups")
                        .summary("Delete a security group (owner; not the default; unused)")
                        .returns(SecurityGroup.class)
                        .errors(400, 403, 404, 405)
                        .handler(c -> groups.delete(c.principal(), c.pathId("id"))));
    }
}
