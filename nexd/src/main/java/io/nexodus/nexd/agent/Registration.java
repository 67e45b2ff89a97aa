package io.nexodus.nexd.agent;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.crypto.SealedTokenException;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.User;
import io.nexodus.api.model.Vpc;
import io.nexodus.core.key.NodePrivateKey;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the VPC (upstream's registration flow): find the VPC (the reg key's, or {@code --vpc-id}, or the user's
 * default), create the device ({@code POST /api/devices}) or, when the key is registered already (409 with the
 * device's id), update it ({@code PATCH}); then open the sealed device token with the WireGuard private key and use
 * {@code DT:} for everything after.
 */
final class Registration {
    private static final Logger log = LoggerFactory.getLogger(Registration.class);

    /** The result of joining. */
    record Joined(Device device, Vpc vpc, NexodusClient asDevice) {}

    /** What we tell the service about ourselves. */
    record Announcement(
            String publicKey,
            boolean relay,
            boolean symmetricNat,
            String hostname,
            List<Endpoint> endpoints,
            Optional<String> requestIp) {}

    private final AgentConfig config;

    Registration(AgentConfig config) {
        this.config = config;
    }

    /** The VPC and security group to join: the reg key's, or {@code --vpc-id}, or the user's default VPC. */
    record Target(Vpc vpc, UUID securityGroupId) {}

    Target target(ServiceLogin.Login login) throws StartupException {
        NexodusClient api = login.client();
        UUID vpcId;
        UUID securityGroup = config.securityGroupId().orElse(null);
        try {
            if (login.regKey()) {
                RegKey rk = api.regKeys().me();
                if (rk.vpcId() == null) {
                    throw new StartupException("the registration key " + rk.id() + " is not for a VPC");
                }
                vpcId = rk.vpcId();
                if (securityGroup == null) {
                    securityGroup = rk.securityGroupId();
                }
            } else {
                User user = api.users().me();
                vpcId = config.vpcId().orElse(user.id());
            }
        } catch (ApiException e) {
            throw failure(e, login.regKey());
        }
        try {
            return new Target(api.vpcs().get(vpcId), securityGroup);
        } catch (ApiException e) {
            if (e.isNotFound() || e.isForbidden()) {
                throw new StartupException(
                        "VPC " + vpcId + " does not exist or is not accessible with these credentials");
            }
            throw failure(e, login.regKey());
        }
    }

    Joined join(ServiceLogin.Login login, Target target, Announcement me, String privateKeyBase64)
            throws StartupException {
        NexodusClient api = login.client();
        Vpc vpc = target.vpc();
        UUID securityGroup = target.securityGroupId();
        AddDevice body = new AddDevice(
                vpc.id(),
                me.publicKey(),
                config.router().advertiseCidrs(),
                me.requestIp().map(ip -> List.of(new TunnelIp(ip, null))).orElse(null),
                me.relay(),
                me.symmetricNat(),
                me.hostname(),
                me.endpoints(),
                "linux",
                securityGroup);
        Device device;
        try {
            device = api.devices().create(body);
            log.info("registered as device {} in VPC {}", device.id(), vpc.id());
        } catch (ApiException e) {
            // only "this key is registered already" switches to an update; a 409 for an advertised network that
            // another device holds names that device, which must never be updated in our name
            if (!e.isConflict()
                    || e.conflictingId().isEmpty()
                    || !(e.body() instanceof ConflictsError c && ConflictsError.MESSAGE.equals(c.error()))) {
                throw failure(e, login.regKey());
            }
            UUID existing = e.conflictingId().get();
            try {
                device = api.devices()
                        .update(
                                existing,
                                new UpdateDevice(
                                        null,
                                        // the agent owns its device's advertised networks: a restart without
                                        // `router` withdraws them, so peers stop routing them to this host
                                        config.router().advertiseCidrs(),
                                        me.symmetricNat(),
                                        me.hostname(),
                                        me.endpoints(),
                                        null,
                                        me.relay(),
                                        config.securityGroupId().orElse(null)));
            } catch (ApiException e2) {
                throw failure(e2, login.regKey());
            }
            if (!vpc.id().equals(device.vpcId())) {
                throw new StartupException("this device (key " + me.publicKey() + ") is registered in VPC "
                        + device.vpcId() + ", not " + vpc.id() + "; delete it there or use another state directory");
            }
            log.info("reconnected as device {} in VPC {}", device.id(), vpc.id());
        }
        if (device.bearerToken() == null || device.bearerToken().isBlank()) {
            throw new StartupException(
                    "the service did not return this device's token (bearer_token) for device " + device.id());
        }
        String deviceToken;
        try {
            deviceToken = SealedToken.open(device.bearerToken(), NodePrivateKey.fromBase64(privateKeyBase64));
        } catch (SealedTokenException e) {
            throw new StartupException(
                    "cannot open the device token the service sealed to our key: " + e.getMessage(), e);
        }
        return new Joined(device.withoutBearerToken(), vpc, api.withToken(() -> deviceToken));
    }

    /** Server trouble (5xx, 429) is rethrown to be retried; a refusal becomes a {@link StartupException}. */
    static StartupException failure(ApiException e, boolean regKey) {
        if (e.status() >= 500 || e.status() == 429) {
            throw e;
        }
        return fatal(e, regKey);
    }

    /** A refusal that retrying cannot fix, in words for the person running nexd. */
    static StartupException fatal(ApiException e, boolean regKey) {
        String why = e.body() == null ? "" : e.error();
        if (e.isUnauthorized()) {
            if (regKey) {
                return new StartupException(
                        "the service rejected the registration key (" + why + "): it is wrong, expired, or was deleted",
                        e);
            }
            return new StartupException("the service rejected our login (" + why + "); log in again", e);
        }
        if (e.isDeviceDeleted()) {
            return new StartupException(
                    "an administrator deleted this device; nexd does not bring it back by itself (" + e.reason()
                            + "). To join again as a new device, start nexd with --rejoin",
                    e);
        }
        if (e.isForbidden()) {
            return new StartupException("not allowed: " + e.getMessage(), e);
        }
        if (e.status() == 405 && why.contains("single use")) {
            return new StartupException("the single-use registration key was used already by another device", e);
        }
        if (e.field().filter("advertise_cidrs"::equals).isPresent() || e.isConflict()) {
            return new StartupException(
                    "the service refused this router's --advertise-cidr: " + e.getMessage()
                            + " (each network may be advertised by one device of the VPC and must not overlap its"
                            + " tunnel prefix)",
                    e);
        }
        return new StartupException("the service refused to register this device: " + e.getMessage(), e);
    }

    /** The first address of a device's tunnel addresses, without prefix; null when it has none. */
    static String firstAddress(List<TunnelIp> ips) {
        if (ips == null || ips.isEmpty() || ips.getFirst().address() == null) {
            return null;
        }
        String a = ips.getFirst().address();
        return a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
    }
}
