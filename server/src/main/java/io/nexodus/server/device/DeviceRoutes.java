package io.nexodus.server.device;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/devices} and their metadata: HTTP in and out; the rules are in {@link Devices} and {@link Metadata}. */
public final class DeviceRoutes {
    private final Devices devices;
    private final Metadata metadata;

    public DeviceRoutes(Devices devices, Metadata metadata) {
        this.devices = devices;
        this.metadata = metadata;
    }

    public List<Route> routes() {
        Class<?> md = DeviceMetadata.class;
        return List.of(
                Route.get("/api/devices")
                        .tag("Devices")
                        .summary("List devices in the caller's organizations")
                        .listParams()
                        .returns(new TypeReference<List<Device>>() {}.getType())
                        .handler(c -> ListReply.of(devices.list(c.principal()), "hostname")),
                Route.post("/api/devices")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(201)
                        .summary(
                                "Register a device (user or RK: token); 409 ConflictsError{id} if the public key exists;"
                                        + " 409 ConflictsError without id, the message naming the device, if an"
                                        + " advertise_cidrs entry overlaps another device's;"
                                        + " 410 NotAllowedError{reason: 'device deleted: ...'} if a user deleted the"
                                        + " device of this public key (within 90 days): it does not come back by itself")
                        .body(AddDevice.class)
                        .returns(Device.class)
                        .errors(400, 403, 404, 405, 409, 410)
                        .handler(c -> devices.register(c.principal(), c.body(AddDevice.class))),
                Route.get("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a device")
                        .returns(Device.class)
                        .errors(400, 404)
                        .handler(c -> devices.get(c.principal(), c.pathId("id"))),
                Route.patch("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Update a device; 409 ConflictsError{id: the other device} if an advertise_cidrs entry"
                                + " overlaps another device's")
                        .body(UpdateDevice.class)
                        .returns(Device.class)
                        .errors(400, 403, 404, 409)
                        .handler(c -> devices.update(c.principal(), c.pathId("id"), c.body(UpdateDevice.class))),
                Route.delete("/api/devices/{id}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Delete a device and release its addresses")
                        .returns(Device.class)
                        .errors(400, 403, 404)
                        .handler(c -> devices.delete(c.principal(), c.pathId("id"))),
                Route.get("/api/devices/{id}/metadata")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("All metadata of a device")
                        .query("prefix", "only keys starting with this")
                        .returns(new TypeReference<List<DeviceMetadata>>() {}.getType())
                        .errors(400, 404)
                        .handler(c -> metadata.list(c.principal(), c.pathId("id"), c.query("prefix"))),
                Route.delete("/api/devices/{id}/metadata")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(204)
                        .summary("Delete every metadata key of a device")
                        .errors(400, 403, 404)
                        .handler(c -> {
                            metadata.clear(c.principal(), c.pathId("id"));
                            return Reply.noContent();
                        }),
                Route.get("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("One metadata key")
                        .returns(md)
                        .errors(400, 404)
                        .handler(c -> metadata.get(c.principal(), c.pathId("id"), c.path("key"))),
                Route.put("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("Set a metadata key to any JSON value")
                        .body(JsonNode.class)
                        .returns(md)
                        .errors(400, 403, 404)
                        .handler(c -> metadata.put(c.principal(), c.pathId("id"), c.path("key"), c.bodyTree())),
                Route.delete("/api/devices/{id}/metadata/{key}")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(204)
                        .summary("Delete a metadata key")
                        .errors(400, 403, 404)
                        .handler(c -> {
                            metadata.delete(c.principal(), c.pathId("id"), c.path("key"));
                            return Reply.noContent();
                        }));
    }
}
