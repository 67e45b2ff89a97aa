package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.ServerConfig;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Upgrades and backups, as an operator meets them. A database written by the previous schema version (a committed
 * fixture: an H2 file and a PostgreSQL plain-SQL dump, made by the service at schema version 5 with an account, an
 * organization, a VPC, a security group and two registered devices) is migrated forward at start and keeps all of it.
 * A backup restored after more devices registered (H2: the file copied while the service is stopped; PostgreSQL:
 * {@code pg_dump} while it runs, {@code psql} into a new database) keeps addresses unique: new devices and devices that
 * register again (agents whose devices went missing) never get an address another device holds.
 *
 * <p>The fixtures were made with the service as of commit 9a0a007 (schema version 5) through its API, by a throw-away
 * test on its {@code TestServer}: the account {@value #FIXTURE_USER}, an organization, the VPC "fixture vpc"
 * (10.55.0.0/16), a reg key, the security group "fixture group" and the devices fixture-one (10.55.0.1) and
 * fixture-two (10.55.0.2); then the H2 file copied after a clean stop, and {@code pg_dump --no-owner --no-privileges}
 * of the PostgreSQL database. Their keys and passwords are throw-away test values. A future schema version adds a
 * fixture of the version before it the same way.
 */
class UpgradeAndRestoreIT {
    private static final String FIXTURE_USER = "fixture-alice";
    private static final String FIXTURE_PASSWORD = "password-fixture-alice";

    private static Path fixture(String name, Path dir) throws IOException {
        Path out = dir.resolve(name);
        try (InputStream in = UpgradeAndRestoreIT.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    private static Set<String> addresses(NexodusClient c, UUID vpc) {
        Set<String> out = new HashSet<>();
        for (Device d : c.vpcs().devices(vpc, ListOptions.NONE).items()) {
            d.ipv4TunnelIps().forEach(ip -> out.add(ip.address()));
        }
        return out;
    }

    private static Device register(TestServer ts, String regKeyToken, UUID vpc, String publicKey, String requested) {
        return ts.withToken(regKeyToken)
                .devices()
                .create(new AddDevice(
                        vpc,
                        publicKey,
                        null,
                        requested == null ? null : List.of(new TunnelIp(requested, null)),
                        false,
                        false,
                        "h-" + UUID.randomUUID().toString().substring(0, 8),
                        null,
                        "linux",
                        null));
    }

    private static String address(Device d) {
        return d.ipv4TunnelIps().getFirst().address();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aDatabaseOfTheSchemaBeforeMigratesForwardAndKeepsEverything(Db db) throws Exception {
        assertThat(db == Db.H2 || Postgres.available())
                .as("PostgreSQL installed")
                .isTrue();
        Path dir = Files.createTempDirectory("nexodus-upgrade-");
        ServerConfig cfg = ServerConfig.forTests(dir);
        if (db == Db.H2) {
            Files.move(fixture("schema-v5.mv.db", dir), dir.resolve("nexodus.mv.db"));
        } else {
            cfg = cfg.withDb(Postgres.get().restore(fixture("schema-v5-postgres.sql", dir)), "postgres", null);
        }
        try (TestServer ts = TestServer.start(cfg)) {
            NexodusClient alice = ts.loggedIn(FIXTURE_USER, FIXTURE_PASSWORD);
            Vpc vpc = alice.vpcs().list(ListOptions.NONE).items().stream()
                    .filter(v -> "fixture vpc".equals(v.description()))
                    .findFirst()
                    .orElseThrow();
            assertThat(vpc.ipv4Cidr()).isEqualTo("10.55.0.0/16");
            assertThat(alice.vpcs().devices(vpc.id(), ListOptions.NONE).items())
                    .extracting(Device::hostname)
                    .containsExactlyInAnyOrder("fixture-one", "fixture-two");
            assertThat(addresses(alice, vpc.id())).containsExactlyInAnyOrder("10.55.0.1", "10.55.0.2");
            assertThat(alice.securityGroups().list(ListOptions.NONE).items())
                    .extracting(SecurityGroup::description)
                    .contains("fixture group");

            String rk = alice.regKeys()
                    .create(new AddRegKey(vpc.id(), null, "after the upgrade", false, null, null, null))
                    .bearerToken();
            Device fresh = register(ts, rk, vpc.id(), Keys.generate().publicKey(), "10.55.0.1");
            assertThat(address(fresh))
                    .as("a taken address is not handed out again")
                    .isEqualTo("10.55.0.3");
            assertThat(ts.admin().audit().list(null, null, null, null, "POST /api/devices"))
                    .as("the new schema's audit log works")
                    .isNotEmpty();
            assertThat(alice.devices().peerMapKey().algorithm())
                    .as("the upgraded service made its peer-map signing key")
                    .isEqualTo("Ed25519");
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void restoringAnOlderBackupKeepsAddressesUnique(Db db) throws Exception {
        assertThat(db == Db.H2 || Postgres.available())
                .as("PostgreSQL installed")
                .isTrue();
        Path dir = Files.createTempDirectory("nexodus-restore-");
        Path backup = Files.createTempDirectory("nexodus-backup-");
        ServerConfig cfg = ServerConfig.forTests(dir);
        if (db == Db.POSTGRES) {
            cfg = cfg.withDb(Postgres.get().newDatabase(), "postgres", null);
        }
        String a = Keys.generate().publicKey();
        String b = Keys.generate().publicKey();
        UUID vpc;
        String rk;
        String addressOfB;
        String alicesName;
        TestServer before = TestServer.start(cfg);
        try {
            NexodusClient alice = before.newUser("alice");
            alicesName = alice.users().me().username();
            UUID org = alice.organizations()
                    .list(ListOptions.NONE)
                    .items()
                    .getFirst()
                    .id();
            vpc = alice.vpcs()
                    .create(new AddVpc(org, "restored", true, "10.66.0.0/16", null))
                    .id();
            rk = alice.regKeys()
                    .create(new AddRegKey(vpc, null, "k", false, null, null, null))
                    .bearerToken();
            assertThat(address(register(before, rk, vpc, a, null))).isEqualTo("10.66.0.1");
            if (db == Db.POSTGRES) {
                Postgres.get().dump(Postgres.databaseName(cfg.dbUrl()), backup.resolve("backup.sql"));
            } else {
                before.server().close();
                Files.copy(dir.resolve("nexodus.mv.db"), backup.resolve("nexodus.mv.db"));
                before = TestServer.start(cfg);
            }
            addressOfB = address(register(before, rk, vpc, b, null));
            assertThat(addressOfB).isEqualTo("10.66.0.2");
        } finally {
            before.server().close();
        }

        ServerConfig restored = cfg;
        if (db == Db.POSTGRES) {
            restored = cfg.withDb(Postgres.get().restore(backup.resolve("backup.sql")), "postgres", null);
        } else {
            Files.copy(
                    backup.resolve("nexodus.mv.db"), dir.resolve("nexodus.mv.db"), StandardCopyOption.REPLACE_EXISTING);
        }
        try (TestServer after = TestServer.start(restored)) {
            NexodusClient alice = after.loggedIn(alicesName, "password-" + alicesName);
            assertThat(addresses(alice, vpc)).as("the backup's state").containsExactly("10.66.0.1");
            // a new device takes the lowest free address, which the forgotten device still uses...
            Device c = register(after, rk, vpc, Keys.generate().publicKey(), null);
            assertThat(address(c)).isEqualTo(addressOfB);
            // ...so the forgotten device, registering again with its key and old address, gets another one
            Device again = register(after, rk, vpc, b, addressOfB);
            assertThat(address(again)).isNotIn("10.66.0.1", addressOfB);
            assertThat(addresses(alice, vpc)).hasSize(3);
        }
    }
}
