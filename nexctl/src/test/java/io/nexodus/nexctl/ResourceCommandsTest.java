package io.nexodus.nexctl;

import static io.nexodus.nexctl.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.nexdctl.NexodusVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every resource command against canned HTTP answers: the request it sends and what it prints in each format. */
class ResourceCommandsTest {
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

    @TempDir
    Path home;

    CannedService svc;
    NexctlRunner nexctl;

    @BeforeEach
    void setUp() throws Exception {
        svc = new CannedService();
        svc.on("GET /api/users/me", 200, USER);
        nexctl = new NexctlRunner(home)
                .env("NEXCTL_SERVICE_URL", svc.url().toString())
                .clock(Clock.fixed(NOW, ZoneId.of("UTC")));
        NexctlRunner.Result login = nexctl.run("login", "--username", "admin", "--password", "secret");
        assertThat(login.exitCode()).as(login.toString()).isZero();
    }

    @AfterEach
    void tearDown() {
        svc.close();
    }

    private NexctlRunner.Result ok(String... args) {
        NexctlRunner.Result r = nexctl.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    @Test
    void getCurrentUserInEveryOutputFormat() {
        assertThat(ok("user", "get-current").out())
                .isEqualTo(pad("USER ID", 41) + "USER NAME\n" + pad(USER_ID, 41) + "admin\n");
        assertThat(ok("user", "get-current", "-o", "no-header").out()).isEqualTo(pad(USER_ID, 41) + "admin\n");
        assertThat(ok("user", "get-current", "--output", "json").out()).isEqualTo("""
                {
                    "id": "%s",
                    "username": "admin",
                    "full_name": "Ada Admin",
                    "picture": ""
                }
                """.formatted(USER_ID));
        assertThat(ok("--output=json-raw", "user", "get-current").out())
                .isEqualTo("{\"id\":\"" + USER_ID
                        + "\",\"username\":\"admin\",\"full_name\":\"Ada Admin\",\"picture\":\"\"}\n");
        assertThat(ok("user", "get-current", "-o", "yaml").out()).isEqualTo("""
                id: %s
                username: admin
                full_name: Ada Admin
                picture: ""
                """.formatted(USER_ID));
        assertThat(svc.last("GET /api/users/me").userAgent())
                .startsWith("nexctl/" + NexodusVersion.current() + " (linux; ");
        assertThat(svc.last("GET /api/users/me").authorization()).isEqualTo("Bearer access-pw-1");
    }

    @Test
    void listsAreTablesOrArrays() throws Exception {
        svc.on("GET /api/vpcs", 200, array(VPC, VPC2));
        String table = ok("vpc", "list").out();
        assertThat(table.lines().toList())
                .containsExactly(
                        pad("VPC ID", 41) + pad("ORGANIZATION ID", 41) + pad("IPV4 CIDR", 18) + pad("IPV6 CIDR", 14)
                                + "DESCRIPTION",
                        pad(VPC_ID, 41) + pad(USER_ID, 41) + pad("100.64.0.0/10", 18) + pad("200::/64", 14)
                                + "default vpc",
                        pad(VPC2_ID, 41) + pad(USER_ID, 41) + pad("10.200.0.0/16", 18) + pad("fd12::/64", 14) + "lab");
        JsonNode arr = json(ok("vpc", "list", "-o", "json").out());
        assertThat(arr.isArray()).isTrue();
        assertThat(arr.get(1).get("ipv4_cidr").asText()).isEqualTo("10.200.0.0/16");
        assertThat(arr.get(1).get("private_cidr").asBoolean()).isTrue();

        svc.on("GET /api/vpcs", 200, "[]");
        assertThat(ok("vpc", "list").out())
                .isEqualTo(pad("VPC ID", 11) + pad("ORGANIZATION ID", 20) + pad("IPV4 CIDR", 14) + pad("IPV6 CIDR", 14)
                        + "DESCRIPTION\n");
        assertThat(ok("vpc", "list", "-o", "json").out()).isEqualTo("[]\n");
        assertThat(ok("vpc", "list", "-o", "no-header").out()).isEmpty();
        assertThat(ok("vpc", "list", "-o", "yaml").out()).isEqualTo("[]\n");
    }

    @Test
    void accountCreateSendsTheNewAccountAndAsksForNoPasswordWithoutATerminal() throws Exception {
        String account = "{\"id\":\"" + ORG2_ID + "\",\"username\":\"alice\",\"full_name\":\"Alice A\","
                + "\"admin\":false,\"user_id\":\"" + USER_ID + "\"}";
        svc.on("POST /admin/accounts", 201, account);
        NexctlRunner.Result r = nexctl.runWithStdin(
                "correct horse\n", "account", "create", "alice", "--full-name", "Alice A", "--password-stdin");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(json(svc.last("POST /admin/accounts").body()))
                .isEqualTo(json("{\"username\":\"alice\",\"password\":\"correct horse\",\"full_name\":\"Alice A\"}"));
        assertThat(r.out()).contains("alice").contains("Alice A").contains(USER_ID);

        r = nexctl.run("account", "create", "bob");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no password for the new account bob").contains("--password-stdin");

        svc.on("GET /admin/accounts", 200, "[" + account + "]");
        assertThat(ok("account", "list", "-o", "json").out()).contains("\"username\": \"alice\"");
    }

    @Test
    void auditListSendsTheFiltersAndPrintsWhoDidWhat() throws Exception {
        svc.on(
                "GET /api/audit-events",
                200,
                "[{\"id\":42,\"time\":\"2026-12-07T10:00:00Z\",\"actor_kind\":\"user\",\"actor_id\":\""
                        + USER_ID + "\",\"actor_name\":\"alice\",\"source\":\"10.0.0.5\","
                        + "\"action\":\"POST /api/vpcs\",\"target\":\"/api/vpcs/x\",\"status\":201,"
                        + "\"outcome\":\"success\"}]");
        String out = ok(
                        "audit",
                        "list",
                        "--actor",
                        "alice",
                        "--action",
                        "POST /api/vpcs",
                        "--limit",
                        "5",
                        "--before",
                        "100",
                        "--since",
                        "1h")
                .out();
        assertThat(out)
                .contains("user:alice")
                .contains("POST /api/vpcs")
                .contains("/api/vpcs/x")
                .contains("201");
        CannedService.Request q = svc.last("GET /api/audit-events");
        assertThat(q.queryParam("actor")).isEqualTo("alice");
        assertThat(q.queryParam("action")).isEqualTo("POST /api/vpcs");
        assertThat(q.queryParam("limit")).isEqualTo("5");
        assertThat(q.queryParam("before")).isEqualTo("100");
        assertThat(q.queryParam("since")).endsWith("Z");
    }

    @Test
    void vpcCreateUpdateDeleteAndMetadata() throws Exception {
        svc.on("POST /api/vpcs", 201, VPC2);
        ok("vpc", "create", "--description", "lab", "--ipv4-cidr", "10.200.0.0/16");
        JsonNode body = json(svc.last("POST /api/vpcs").body());
        assertThat(body.get("organization_id").asText()).isEqualTo(USER_ID); // default organization = user id
        assertThat(body.get("private_cidr").asBoolean()).isTrue();
        assertThat(body.get("ipv4_cidr").asText()).isEqualTo("10.200.0.0/16");
        assertThat(body.has("ipv6_cidr")).isFalse();

        ok("vpc", "create", "--organization-id", ORG2_ID);
        body = json(svc.last("POST /api/vpcs").body());
        assertThat(body.get("organization_id").asText()).isEqualTo(ORG2_ID);
        assertThat(body.get("private_cidr").asBoolean()).isFalse();

        svc.on("PATCH /api/vpcs/" + VPC2_ID, 200, VPC2);
        assertThat(ok("vpc", "update", "--vpc-id", VPC2_ID, "--description", "lab2")
                        .out())
                .endsWith("successfully updated\n");
        assertThat(json(svc.last("PATCH /api/vpcs/" + VPC2_ID).body())).isEqualTo(json("{\"description\":\"lab2\"}"));

        svc.on("DELETE /api/vpcs/" + VPC2_ID, 200, VPC2);
        String deleted = ok("vpc", "delete", "--vpc-id", VPC2_ID).out();
        assertThat(deleted).contains(VPC2_ID).endsWith("successfully deleted\n");
        String deletedJson = ok("vpc", "delete", VPC2_ID, "-o", "json").out();
        assertThat(json(deletedJson).get("id").asText()).isEqualTo(VPC2_ID); // no success text in JSON
        assertThat(deletedJson).doesNotContain("successfully");

        svc.on("GET /api/vpcs/" + VPC_ID + "/metadata", 200, array(METADATA));
        String md = ok("vpc", "metadata", "get", "--vpc-id", VPC_ID, "--key", "relay")
                .out();
        assertThat(svc.last("GET /api/vpcs/" + VPC_ID + "/metadata").queryParam("key"))
                .isEqualTo("relay");
        assertThat(md.lines().toList())
                .containsExactly(
                        pad("DEVICE ID", 41) + pad("KEY", 10) + "VALUE",
                        pad(DEVICE_ID, 41) + pad("relay", 10) + "{\"type\":\"derp\",\"hostname\":\"relay.lab\"}");
    }

    @Test
    void vpcConnectivityTableCensusAndJson() throws Exception {
        String peer = "55555555-5555-5555-5555-555555555555";
        svc.on("GET /api/vpcs/" + VPC_ID + "/connectivity", 200, """
                {"vpc_id": "%1$s", "generated_at": "2026-11-02T10:00:00Z", "stale_after_seconds": 90,
                 "devices": [
                   {"device_id": "%2$s", "hostname": "alpha", "online": true, "nat_type": "cone",
                    "reported_at": "2026-11-02T09:59:50Z", "stale": false},
                   {"device_id": "%3$s", "hostname": "bravo", "online": false, "nat_type": null,
                    "reported_at": null, "stale": true}],
                 "pairs": [
                   {"from_device_id": "%2$s", "to_device_id": "%3$s", "method": "via-derp-relay",
                    "relay": "public-derp", "path": "derp", "healthy": true, "handshake_age_seconds": 12,
                    "rx_bytes": 100, "tx_bytes": 200, "reported_at": "2026-11-02T09:59:50Z", "stale": false}],
                 "census": {"pairs": 1, "direct": 0, "relayed": 0, "derp": 1, "no_path": 0, "stale": 0,
                    "unreported": 0, "nat_types": {"cone": 1}}}
                """.formatted(VPC_ID, DEVICE_ID, peer));
        String table = ok("vpc", "connectivity", "--vpc-id", VPC_ID).out();
        assertThat(table.lines().toList())
                .containsExactly(
                        "FROM      TO        PATH      METHOD             RELAY           LATEST HANDSHAKE     "
                                + "TRANSMITTED     RECEIVED     HEALTHY     STALE",
                        "alpha     bravo     derp      via-derp-relay     public-derp     12 seconds ago       "
                                + "200             100          true",
                        "pairs: 1 (direct 0, relayed 0, DERP 1, no path 0, stale 0, unreported 0)",
                        "NAT types: cone 1",
                        "1 of 2 devices have no fresh report (older than 90 s, or the device is offline)");
        JsonNode j = json(ok("vpc", "connectivity", VPC_ID, "-o", "json").out());
        assertThat(j.path("pairs").get(0).path("method").asText()).isEqualTo("via-derp-relay");
        assertThat(j.path("census").path("derp").asInt()).isEqualTo(1);
    }

    @Test
    void devicesShortAndFullColumns() {
        svc.on("GET /api/devices", 200, array(DEVICE));
        assertThat(ok("device", "list").out().lines().toList())
                .containsExactly(
                        pad("DEVICE ID", 41) + pad("HOSTNAME", 13) + pad("TUNNEL IPS", 23) + pad("VPC ID", 41)
                                + "RELAY",
                        pad(DEVICE_ID, 41) + pad("lab-a", 13) + pad("100.64.0.1, 200::1", 23) + pad(VPC_ID, 41)
                                + "false");
        String full = ok("device", "list", "--full", "-o", "no-header").out();
        assertThat(full.strip().split(" {5,}"))
                .containsExactly(
                        DEVICE_ID,
                        "lab-a",
                        "100.64.0.1, 200::1",
                        VPC_ID,
                        "false",
                        "pkA=",
                        "192.168.1.5:51820",
                        "192.168.50.0/24",
                        "198.51.100.7:40001",
                        "192.168.1.5",
                        "true",
                        "linux",
                        VPC_ID,
                        "true",
                        "2026-11-02 09:30:00 UTC");
        String header = ok("device", "list", "-f").out().lines().findFirst().orElseThrow();
        assertThat(header.split(" {2,}"))
                .containsExactly(
                        "DEVICE ID",
                        "HOSTNAME",
                        "TUNNEL IPS",
                        "VPC ID",
                        "RELAY",
                        "PUBLIC KEY",
                        "LOCAL IP",
                        "ADVERTISED CIDR",
                        "REFLEXIVE IPv4",
                        "LOCAL IPv4",
                        "SYMMETRIC NAT",
                        "OS",
                        "SECURITY GROUP ID",
                        "ONLINE",
                        "ONLINE SINCE");

        svc.on("GET /api/vpcs/" + VPC_ID + "/devices", 200, array(DEVICE));
        ok("device", "list", "--vpc-id", VPC_ID);
        assertThat(svc.last("GET /api/vpcs/" + VPC_ID + "/devices").method()).isEqualTo("GET");
    }

    @Test
    void deviceUpdateDeleteAndMetadata() throws Exception {
        svc.on("PATCH /api/devices/" + DEVICE_ID, 200, DEVICE);
        ok("device", "update", "--device-id", DEVICE_ID, "--hostname", "renamed");
        assertThat(json(svc.last("PATCH /api/devices/" + DEVICE_ID).body()))
                .isEqualTo(json("{\"hostname\":\"renamed\"}"));
        ok("device", "update", "--device-id", DEVICE_ID, "--security-group-id", SG_ID);
        assertThat(json(svc.last("PATCH /api/devices/" + DEVICE_ID).body()))
                .isEqualTo(json("{\"security_group_id\":\"" + SG_ID + "\"}"));

        svc.on("DELETE /api/devices/" + DEVICE_ID, 200, DEVICE);
        assertThat(ok("device", "delete", "--device-id", DEVICE_ID).out()).endsWith("successfully deleted\n");

        svc.on(
                "PUT /api/devices/" + DEVICE_ID + "/metadata/relay",
                r -> CannedService.Response.json(
                        200,
                        "{\"device_id\":\"" + DEVICE_ID + "\",\"key\":\"relay\",\"value\":" + r.body()
                                + ",\"revision\":13}"));
        String set = ok(
                        "device",
                        "metadata",
                        "set",
                        "--device-id",
                        DEVICE_ID,
                        "--key",
                        "relay",
                        "--value",
                        "{\"type\":\"derp\"}")
                .out();
        assertThat(json(svc.last("PUT /api/devices/" + DEVICE_ID + "/metadata/relay")
                        .body()))
                .isEqualTo(json("{\"type\":\"derp\"}"));
        assertThat(set).contains("{\"type\":\"derp\"}").endsWith("successfully updated\n");
        ok("device", "metadata", "set", "--device-id", DEVICE_ID, "--key", "relay", "--value", "\"text\"");
        assertThat(svc.last("PUT /api/devices/" + DEVICE_ID + "/metadata/relay").body())
                .isEqualTo("\"text\"");

        svc.on("GET /api/devices/" + DEVICE_ID + "/metadata/relay", 200, METADATA);
        assertThat(ok("device", "metadata", "get", DEVICE_ID, "--key", "relay", "--full")
                        .out()
                        .lines()
                        .toList())
                .containsExactly(
                        pad("DEVICE ID", 41) + pad("KEY", 10) + pad("VALUE", 43) + "REVISION",
                        pad(DEVICE_ID, 41) + pad("relay", 10)
                                + pad("{\"type\":\"derp\",\"hostname\":\"relay.lab\"}", 43) + "12");
        svc.on("GET /api/devices/" + DEVICE_ID + "/metadata", 200, array(METADATA));
        assertThat(json(ok("device", "metadata", "get", "--device-id", DEVICE_ID, "-o", "json")
                                .out())
                        .get(0)
                        .get("value")
                        .get("type")
                        .asText())
                .isEqualTo("derp");

        svc.on("DELETE /api/devices/" + DEVICE_ID + "/metadata/relay", 204, null);
        assertThat(ok("device", "metadata", "delete", "--device-id", DEVICE_ID, "--key", "relay")
                        .out())
                .isEqualTo("successfully deleted\n");
        svc.on("DELETE /api/devices/" + DEVICE_ID + "/metadata", 204, null);
        assertThat(ok("device", "metadata", "clear", "--device-id", DEVICE_ID, "-o", "json")
                        .out())
                .isEmpty();
    }

    @Test
    void regKeysShowTheirNexdFlagOnceAndTakeDurationsAndSettings() throws Exception {
        svc.on("POST /api/reg-keys", 201, REGKEY_CREATED);
        String created = ok(
                        "reg-key",
                        "create",
                        "--single-use",
                        "--expiration",
                        "24h",
                        "--description",
                        "lab key",
                        "--settings",
                        "{\"relay-only\":true}")
                .out();
        JsonNode body = json(svc.last("POST /api/reg-keys").body());
        assertThat(body.get("vpc_id").asText()).isEqualTo(VPC_ID); // the user's default VPC
        assertThat(body.get("single_use").asBoolean()).isTrue();
        assertThat(body.get("expires_at").asText()).isEqualTo("2026-11-03T10:00:00Z");
        assertThat(body.get("settings")).isEqualTo(json("{\"relay-only\":true}"));
        assertThat(body.get("description").asText()).isEqualTo("lab key");
        assertThat(created).contains("--reg-key " + svc.url() + "#RK:abc123");
        assertThat(created.lines().findFirst().orElseThrow().split(" {2,}"))
                .containsExactly("TOKEN ID", "DESCRIPTION", "CLI FLAGS");

        svc.on("GET /api/reg-keys", 200, array(REGKEY_LISTED));
        assertThat(ok("reg-key", "list").out()).contains("(shown only at creation)");
        String full = ok("reg-key", "list", "--full").out();
        assertThat(full.lines().findFirst().orElseThrow().split(" {2,}"))
                .containsExactly(
                        "TOKEN ID",
                        "DESCRIPTION",
                        "CLI FLAGS",
                        "VPC ID",
                        "SECURITY GROUP ID",
                        "SINGLE USE",
                        "EXPIRES AT",
                        "SETTINGS");
        assertThat(json(ok("reg-key", "list", "-o", "json").out()).get(0).has("bearer_token"))
                .isFalse();

        svc.on("PATCH /api/reg-keys/" + REGKEY_ID, 200, REGKEY_LISTED);
        ok("reg-key", "update", "--reg-key-id", REGKEY_ID, "--no-expiration");
        assertThat(json(svc.last("PATCH /api/reg-keys/" + REGKEY_ID).body()))
                .isEqualTo(json("{\"expires_at\":\"0001-01-01T00:00:00Z\"}"));
        ok("reg-key", "update", "--reg-key-id", REGKEY_ID, "--expiration", "1h30m", "--description", "d");
        assertThat(json(svc.last("PATCH /api/reg-keys/" + REGKEY_ID).body()))
                .isEqualTo(json("{\"description\":\"d\",\"expires_at\":\"2026-11-02T11:30:00Z\"}"));

        svc.on("DELETE /api/reg-keys/" + REGKEY_ID, 200, REGKEY_LISTED);
        assertThat(ok("reg-key", "delete", "--reg-key-id", REGKEY_ID).out()).endsWith("successfully deleted\n");
    }

    @Test
    void securityGroupsTakeRulesAsJsonAndShowThemReadably() throws Exception {
        svc.on("GET /api/security-groups", 200, array(SG));
        String table = ok("security-group", "list", "-o", "no-header").out();
        assertThat(table.strip().split(" {5,}"))
                .containsExactly(SG_ID, "web", VPC_ID, "tcp 80-443 from 10.0.0.0/8,192.168.1.1; icmp");

        svc.on("POST /api/security-groups", 201, SG);
        ok(
                "sg",
                "create",
                "--description",
                "web",
                "--inbound-rules",
                "[{\"ip_protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,\"ip_ranges\":[\"10.0.0.0/8\"]}]");
        JsonNode body = json(svc.last("POST /api/security-groups").body());
        assertThat(body.get("vpc_id").asText()).isEqualTo(VPC_ID);
        assertThat(body.get("inbound_rules").get(0).get("from_port").asInt()).isEqualTo(22);
        assertThat(body.get("outbound_rules")).isEqualTo(json("[]"));

        svc.on("PATCH /api/security-groups/" + SG_ID, 200, SG);
        ok("security-group", "update", "--security-group-id", SG_ID, "--inbound-rules", "[]");
        assertThat(json(svc.last("PATCH /api/security-groups/" + SG_ID).body()))
                .isEqualTo(json("{\"inbound_rules\":[]}"));

        svc.on("DELETE /api/security-groups/" + SG_ID, 200, SG);
        assertThat(ok("security-group", "delete", "--security-group-id", SG_ID, "-o", "yaml")
                        .out())
                .startsWith("id: " + SG_ID + "\n")
                .contains("inbound_rules:\n")
                .doesNotContain("successfully");
    }

    @Test
    void organizationsUsersAndInvitations() throws Exception {
        svc.on("GET /api/organizations", 200, array(ORG));
        assertThat(ok("organization", "list").out().lines().toList())
                .containsExactly(
                        pad("ORGANIZATION ID", 41) + pad("NAME", 10) + "DESCRIPTION",
                        pad(USER_ID, 41) + pad("admin", 10) + "admin's organization");
        svc.on("POST /api/organizations", 201, ORG);
        ok("org", "create", "--name", "acme", "--description", "ACME");
        assertThat(json(svc.last("POST /api/organizations").body()))
                .isEqualTo(json("{\"name\":\"acme\",\"description\":\"ACME\"}"));
        svc.on("GET /api/organizations/" + USER_ID + "/users", 200, array(MEMBER));
        assertThat(ok("organization", "users", "list", "--organization-id", USER_ID)
                        .out()
                        .lines()
                        .toList())
                .containsExactly(
                        pad("ORGANIZATION ID", 41) + pad("USER ID", 41) + pad("USER NAME", 14) + pad("FULL NAME", 14)
                                + "ROLES",
                        pad(USER_ID, 41) + pad(USER_ID, 41) + pad("admin", 14) + pad("Ada Admin", 14) + "owner");
        svc.on("DELETE /api/organizations/" + USER_ID + "/users/" + OTHER_USER, 204, null);
        assertThat(ok("organization", "users", "delete", "--organization-id", USER_ID, "--user-id", OTHER_USER)
                        .out())
                .startsWith("successfully removed user " + OTHER_USER);
        svc.on("DELETE /api/users/" + OTHER_USER + "/organizations/" + ORG2_ID, 204, null);
        ok("user", "remove-user", "--user-id", OTHER_USER, "--organization-id", ORG2_ID);
        svc.on("DELETE /api/users/" + USER_ID, 200, USER);
        assertThat(ok("user", "delete", USER_ID).out()).endsWith("successfully deleted\n");

        svc.on("POST /api/invitations", 201, INVITATION);
        String inv = ok("invitation", "create", "--email", "bob@example.com", "--role", "member")
                .out();
        assertThat(json(svc.last("POST /api/invitations").body()))
                .isEqualTo(json("{\"email\":\"bob@example.com\",\"organization_id\":\"" + USER_ID
                        + "\",\"roles\":[\"member\"]}"));
        assertThat(inv.lines().toList().get(1).split(" {5,}"))
                .containsExactly(INV_ID, "admin", "admin", "bob@example.com", "member", "2026-11-09 10:00:00 UTC");
        svc.on("POST /api/invitations/" + INV_ID + "/accept", 204, null);
        assertThat(ok("invitation", "accept", INV_ID).out())
                .isEqualTo("successfully accepted invitation " + INV_ID + "\n");
        svc.on("DELETE /api/invitations/" + INV_ID, 204, null);
        assertThat(ok("invitation", "delete", "--inv-id", INV_ID, "-o", "json").out())
                .isEmpty();
    }

    @Test
    void featureFlags() throws Exception {
        svc.on("GET /api/fflags", 200, "{\"security-groups\":true,\"devices\":true,\"sites\":false}");
        assertThat(ok("feature-flag", "list").out().lines().toList())
                .containsExactly(
                        pad("NAME", 20) + "ENABLED",
                        pad("devices", 20) + "true",
                        pad("security-groups", 20) + "true",
                        pad("sites", 20) + "false");
        assertThat(json(ok("fflag", "list", "-o", "json").out()))
                .isEqualTo(json("{\"devices\":true,\"security-groups\":true,\"sites\":false}"));
        svc.on("GET /api/fflags/sites", 200, "{\"sites\":false}");
        assertThat(ok("feature-flag", "get", "sites", "-o", "json-raw").out()).isEqualTo("{\"sites\":false}\n");
    }

    @Test
    void relaysListCreateDelete() throws Exception {
        String region900 =
                "{\"region_id\":900,\"region_code\":\"web\",\"region_name\":\"NexodusDefault\",\"built_in\":true,\"nodes\":"
                        + "[{\"name\":\"900nex\",\"region_id\":900,\"host_name\":\"nexodus.lab\",\"derp_port\":8444,\"stun_port\":3478,"
                        + "\"url\":\"https://nexodus.lab:8444/derp\",\"custom_ca\":true,\"ca_pem\":\"-----BEGIN CERTIFICATE-----\\n\"}]}";
        String region902 =
                "{\"region_id\":902,\"region_code\":\"eu\",\"region_name\":\"Europe\",\"built_in\":false,\"nodes\":"
                        + "[{\"name\":\"902nex\",\"region_id\":902,\"host_name\":\"relay.eu\",\"ipv4\":\"203.0.113.9\",\"derp_port\":443,"
                        + "\"stun_port\":-1,\"url\":\"https://relay.eu:443/derp\",\"custom_ca\":false}]}";
        svc.on("GET /api/relays", 200, "{\"regions\":{\"902\":" + region902 + ",\"900\":" + region900 + "}}");
        assertThat(ok("relay", "list").out().lines().toList())
                .containsExactly(
                        pad("REGION ID", 14) + pad("CODE", 10) + pad("HOSTNAME", 16) + pad("DERP PORT", 14)
                                + pad("STUN PORT", 14) + "BUILT IN",
                        pad("900", 14) + pad("web", 10) + pad("nexodus.lab", 16) + pad("8444", 14) + pad("3478", 14)
                                + "true",
                        pad("902", 14) + pad("eu", 10) + pad("relay.eu", 16) + pad("443", 14) + pad("-", 14) + "false");
        String full = ok("relays", "list", "--full").out();
        assertThat(full.lines().findFirst().orElseThrow().split(" {2,}"))
                .containsExactly(
                        "REGION ID",
                        "CODE",
                        "HOSTNAME",
                        "DERP PORT",
                        "STUN PORT",
                        "BUILT IN",
                        "NAME",
                        "URL",
                        "DIAL IPV4",
                        "DIAL IPV6",
                        "CUSTOM CA");
        assertThat(full).contains("https://nexodus.lab:8444/derp").contains("203.0.113.9");
        JsonNode asJson = json(ok("relay", "list", "-o", "json").out());
        assertThat(asJson.get("regions")
                        .get("900")
                        .get("nodes")
                        .get(0)
                        .get("custom_ca")
                        .asBoolean())
                .isTrue();

        Path ca = home.resolve("ca.crt");
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        svc.on("POST /api/relays", 201, region902);
        String created = ok(
                        "relay",
                        "create",
                        "--region-code",
                        "eu",
                        "--hostname",
                        "relay.eu",
                        "--ipv4",
                        "203.0.113.9",
                        "--stun-port",
                        "-1",
                        "--region-name",
                        "Europe",
                        "--relay-ca",
                        ca.toString())
                .out();
        assertThat(created).contains("relay.eu");
        assertThat(json(svc.last("POST /api/relays").body()))
                .isEqualTo(json("{\"region_code\":\"eu\",\"region_name\":\"Europe\","
                        + "\"host_name\":\"relay.eu\",\"ipv4\":\"203.0.113.9\",\"stun_port\":-1,"
                        + "\"ca_pem\":\"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\"}"));
        NexctlRunner.Result missing = nexctl.run(
                "relay",
                "create",
                "--region-code",
                "x",
                "--hostname",
                "h",
                "--relay-ca",
                home.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--relay-ca: cannot read");

        svc.on("DELETE /api/relays/902", 200, region902);
        assertThat(ok("relay", "delete", "--region-id", "902").out()).endsWith("successfully deleted\n");
        svc.on(
                "DELETE /api/relays/900",
                400,
                "{\"error\":\"operation not allowed\",\"reason\":\"the service's own relay cannot be removed\"}");
        NexctlRunner.Result refused = nexctl.run("relay", "delete", "900");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("cannot be removed");
    }
}
