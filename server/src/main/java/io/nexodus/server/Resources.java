package io.nexodus.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.connectivity.Connectivity;
import io.nexodus.server.connectivity.ConnectivityRoutes;
import io.nexodus.server.connectivity.ConnectivityStore;
import io.nexodus.server.db.Database;
import io.nexodus.server.device.DeviceRoutes;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.Devices;
import io.nexodus.server.device.Metadata;
import io.nexodus.server.device.MetadataStore;
import io.nexodus.server.http.Route;
import io.nexodus.server.invitation.InvitationRoutes;
import io.nexodus.server.invitation.InvitationStore;
import io.nexodus.server.invitation.Invitations;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.organization.OrganizationRoutes;
import io.nexodus.server.organization.OrganizationStore;
import io.nexodus.server.organization.Organizations;
import io.nexodus.server.peermap.PeerMapKeys;
import io.nexodus.server.peermap.PeerMapRoutes;
import io.nexodus.server.peermap.PeerMaps;
import io.nexodus.server.regkey.RegKeyRoutes;
import io.nexodus.server.regkey.RegKeyStore;
import io.nexodus.server.regkey.RegKeys;
import io.nexodus.server.securitygroup.SecurityGroupRoutes;
import io.nexodus.server.securitygroup.SecurityGroupStore;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.user.UserRoutes;
import io.nexodus.server.user.UserStore;
import io.nexodus.server.user.Users;
import io.nexodus.server.vpc.VpcAccess;
import io.nexodus.server.vpc.VpcRoutes;
import io.nexodus.server.vpc.VpcStore;
import io.nexodus.server.vpc.Vpcs;
import io.nexodus.server.watch.WatchAccess;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The API resources wired bottom up, as three layers: stores (the SQL of one aggregate each), domain classes
 * (authorization, validation, IPAM and watch signals, inside transactions), and routes (HTTP in, one domain call,
 * HTTP out). Stores hold no state; domain classes hold their collaborators.
 */
final class Resources {
    private final Users users;
    private final WatchAccess watchAccess;
    private final List<Route> routes = new ArrayList<>();

    Resources(Database db, Ipam ipam, FeatureFlags flags, MeterRegistry meters, Clock clock, PeerMapKeys peerMapKeys) {
        MembershipStore membershipRows = new MembershipStore();
        UserStore userRows = new UserStore();
        OrganizationStore organizationRows = new OrganizationStore();
        InvitationStore invitationRows = new InvitationStore();
        VpcStore vpcRows = new VpcStore();
        DeviceStore deviceRows = new DeviceStore();
        MetadataStore metadataRows = new MetadataStore();
        RegKeyStore regKeyRows = new RegKeyStore();
        SecurityGroupStore groupRows = new SecurityGroupStore();

        Memberships memberships = new Memberships(membershipRows);
        VpcAccess vpcAccess = new VpcAccess(vpcRows, memberships);
        SecurityGroups groups = new SecurityGroups(db, groupRows, vpcAccess, deviceRows, regKeyRows, flags);
        Vpcs vpcs = new Vpcs(
                db,
                vpcRows,
                vpcAccess,
                memberships,
                ipam,
                groups,
                organizationRows,
                deviceRows,
                metadataRows,
                groupRows,
                regKeyRows);
        Devices devices =
                new Devices(db, deviceRows, metadataRows, memberships, vpcAccess, groups, ipam, flags, meters);
        Metadata metadata = new Metadata(db, metadataRows, devices);
        RegKeys regKeys = new RegKeys(db, regKeyRows, vpcAccess, groups, memberships, clock);
        Organizations organizations = new Organizations(
                db,
                organizationRows,
                memberships,
                vpcs,
                vpcRows,
                devices,
                deviceRows,
                regKeyRows,
                invitationRows,
                flags);
        Invitations invitations = new Invitations(db, invitationRows, organizationRows, userRows, memberships);
        this.users = new Users(
                db,
                userRows,
                memberships,
                organizationRows,
                organizations,
                vpcs,
                deviceRows,
                regKeyRows,
                invitationRows);
        this.watchAccess = new WatchAccess(db, vpcAccess, deviceRows);

        routes.addAll(new UserRoutes(users).routes());
        routes.addAll(new OrganizationRoutes(organizations).routes());
        routes.addAll(new InvitationRoutes(invitations).routes());
        routes.addAll(new VpcRoutes(vpcs).routes());
        routes.addAll(new DeviceRoutes(devices, metadata).routes());
        routes.addAll(new ConnectivityRoutes(
                        new Connectivity(db, new ConnectivityStore(), deviceRows, vpcAccess, memberships))
                .routes());
        routes.addAll(new PeerMapRoutes(
                        new PeerMaps(db, peerMapKeys, deviceRows, vpcRows, groupRows, metadataRows, memberships))
                .routes());
        routes.addAll(new RegKeyRoutes(regKeys).routes());
        routes.addAll(new SecurityGroupRoutes(groups).routes());
    }

    /** Users, also for the identity providers (provisioning on first sight). */
    Users users() {
        return users;
    }

    WatchAccess watchAccess() {
        return watchAccess;
    }

    /** The resources' routes: users, organizations, invitations, VPCs, devices (and their connectivity), registration keys, security
     * groups, peer maps. */
    List<Route> routes() {
        return List.copyOf(routes);
    }
}
