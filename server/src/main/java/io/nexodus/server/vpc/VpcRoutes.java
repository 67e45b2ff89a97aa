package io.nexodus.server.vpc;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import java.util.List;

/**
 * {@code /api/vpcs}: HTTP in and out, and the per-VPC listings agents use ({@code gt_revision} from the query); the
 * rules are in {@link Vpcs}.
 */
public final class VpcRoutes {
    private final Vpcs vpcs;

    public VpcRoutes(Vpcs vpcs) {
        this.vpcs = vpcs;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/vpcs")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("List VPCs of the caller's organizations")
                        .listParams()
                        .returns(new TypeReference<List<Vpc>>() {}.getType())
                        .handler(c -> ListReply.of(vpcs.list(c.principal()), null)),
                Route.post("/api/vpcs")
                        .tag("VPCs")
                        .status(201)
                        .summary("Create a VPC (shared or private CIDR)")
                        .body(AddVpc.class)
                        .returns(Vpc.class)
                        .errors(400, 404)
                        .handler(c -> vpcs.create(c.principal(), c.body(AddVpc.class))),
                Route.get("/api/vpcs/{id}")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a VPC")
                        .returns(Vpc.class)
                        .errors(400, 404)
                        .handler(c -> vpcs.get(c.principal(), c.pathId("id"))),
                Route.patch("/api/vpcs/{id}")
                        .tag("VPCs")
                        .summary("Update a VPC's description (owner)")
                        .body(UpdateVpc.class)
                        .returns(Vpc.class)
                        .errors(400, 403, 404)
                        .handler(c -> vpcs.update(c.principal(), c.pathId("id"), c.body(UpdateVpc.class))),
                Route.delete("/api/vpcs/{id}")
                        .tag("VPCs")
                        .summary("Delete a VPC (owner; not a default VPC; no devices left)")
                        .returns(Vpc.class)
                        .errors(400, 403, 404)
                        .handler(c -> vpcs.delete(c.principal(), c.pathId("id"))),
                Route.get("/api/vpcs/{id}/devices")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Devices of a VPC (no tokens)")
                        .query("gt_revision", "only devices with a greater revision")
                        .listParams()
                        .returns(new TypeReference<List<Device>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(c -> ListReply.of(vpcs.devices(c.principal(), c.pathId("id"), gtRevision(c)), null)),
                Route.get("/api/vpcs/{id}/metadata")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Metadata of the devices of a VPC")
                        .queryArray("prefix", "keys starting with any of these")
                        .query("key", "exactly this key")
                        .query("gt_revision", "only entries with a greater revision")
                        .returns(new TypeReference<List<DeviceMetadata>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(c -> vpcs.metadata(
                                c.principal(),
                                c.pathId("id"),
                                gtRevision(c),
                                c.queryAll("prefix"),
                                c.query("key").orElse(null))),
                Route.get("/api/vpcs/{id}/security-groups")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Security groups of a VPC")
                        .query("gt_revision", "only groups with a greater revision")
                        .listParams()
                        .returns(new TypeReference<List<SecurityGroup>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(c ->
                                ListReply.of(vpcs.securityGroups(c.principal(), c.pathId("id"), gtRevision(c)), null)));
    }

    private static long gtRevision(Call c) {
        try {
            return c.query("gt_revision").map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            throw ApiError.invalid("gt_revision", "not a number");
        }
    }
}
