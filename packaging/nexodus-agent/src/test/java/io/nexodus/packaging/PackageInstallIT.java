package io.nexodus.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.FreePorts;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Installs the built packages (nexodus, nexodus-agent) into a fresh root with {@code dpkg --root} and runs them from
 * their installed paths: each command runs in a mount namespace of its own where the root's /usr lies over the
 * host's (an overlay, so /usr/bin/nexd is the package's) and /usr/lib/jvm is empty (no JDK: the packages' own
 * runtimes must do). Nothing is installed on the host; the namespaces end with their processes and the root is
 * deleted afterwards, also when a test fails.
 */
@RequiresNetns(commands = {"dpkg", "dpkg-deb", "dpkg-query", "unshare", "mount", "systemd-analyze"})
class PackageInstallIT {
    private static final List<String> PACKAGES = List.of("nexodus", "nexodus-agent");
    private static final Map<String, String> DEPENDS =
            Map.of("nexodus", "libc6", "nexodus-agent", "libc6, iproute2, nftables");
    private static final List<String> UNITS = List.of("nexodus", "nexd", "nexd-relay", "nexd-relayderp");
    private static final String VERSION = System.getProperty("nexodus.version", "");

    private static Path work;
    private static Path root;
    private static final Map<String, Path> DEBS = new LinkedHashMap<>();

    @BeforeAll
    static void installIntoFreshRoot() throws IOException {
        for (String dir : System.getProperty("nexodus.packages", "").split(",", -1)) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.getFileName().toString().endsWith(".deb")).forEach(p -> {
                    String name = p.getFileName().toString();
                    DEBS.put(name.substring(0, name.indexOf('_')), p);
                });
            }
        }
        assertThat(DEBS.keySet()).as("packages built by ./mvnw package").containsExactlyInAnyOrderElementsOf(PACKAGES);

        work = Files.createTempDirectory(Path.of("target"), "install-test").toAbsolutePath();
        root = work.resolve("root");
        Path dpkg = root.resolve("var/lib/dpkg");
        for (String d : List.of("info", "updates", "triggers")) {
            Files.createDirectories(dpkg.resolve(d));
        }
        // The root's package database knows only what the packages depend on (as installed on this host), so dpkg
        // checks their Depends for real instead of being told to ignore them.
        StringBuilder status = new StringBuilder();
        for (String dep : dependencies()) {
            Cmd.Result r = Cmd.tryRun("dpkg-query", "-s", dep);
            assertThat(r.exitCode())
                    .as("%s (a dependency) installed on this host: %s", dep, r.stderr())
                    .isZero();
            status.append(r.stdout().strip()).append("\n\n");
            String arch = Cmd.run("dpkg-query", "-W", "-f=${binary:Package}", dep)
                    .stdout()
                    .strip();
            Files.createFile(dpkg.resolve("info/" + arch + ".list"));
        }
        Files.writeString(dpkg.resolve("status"), status.toString(), StandardCharsets.UTF_8);

        List<String> install = new ArrayList<>(
                List.of("dpkg", "--root=" + root, "--force-script-chrootless", "--log=/dev/null", "--install"));
        DEBS.values().forEach(p -> install.add(p.toString()));
        Cmd.Result r = Cmd.tryRun(Duration.ofMinutes(2), install);
        assertThat(r.exitCode())
                .as("dpkg --install: %s%s", r.stdout(), r.stderr())
                .isZero();
    }

    @AfterAll
    static void deleteRoot() throws IOException {
        // The mounts lived in the commands' own namespaces, gone with them: this deletes files only.
        WorkDirs.delete(work);
    }

    @Test
    void packagesAreInstalledWithTheirDependsAndConffiles() {
        String installed = Cmd.run(
                        "dpkg-query",
                        "--admindir=" + root.resolve("var/lib/dpkg"),
                        "-W",
                        "-f=${Package} ${Version} ${db:Status-Abbrev}\n")
                .stdout();
        String debVersion = VERSION.replace('-', '~');
        for (String p : PACKAGES) {
            assertThat(installed).contains(p + " " + debVersion + " ii");
            assertThat(field(p, "Depends")).isEqualTo(DEPENDS.get(p));
        }
        for (String unit : UNITS) {
            assertThat(root.resolve("usr/lib/systemd/system/" + unit + ".service"))
                    .isRegularFile();
            assertThat(root.resolve("etc/default/" + unit)).isRegularFile();
        }
        String conffiles = Cmd.run(
                        "dpkg-query",
                        "--admindir=" + root.resolve("var/lib/dpkg"),
                        "-W",
                        "-f=${Conffiles}\n",
                        "nexodus-agent")
                .stdout();
        assertThat(conffiles)
                .contains("/etc/default/nexd ", "/etc/default/nexd-relay ", "/etc/default/nexd-relayderp ");
        // Each package carries its own runtime, made by jlink: no javac, no jmods.
        for (String p : PACKAGES) {
            Path runtime = root.resolve("usr/lib/" + p + "/runtime");
            assertThat(runtime.resolve("bin/java")).isExecutable();
            assertThat(runtime.resolve("bin/javac")).doesNotExist();
        }
    }

    @Test
    void commandsRunFromTheirInstalledPathsWithoutAJdk() throws IOException {
        String v = VERSION;
        assertThat(installed("/usr/bin/nexodus serve --help").stdout())
                .contains("Usage: nexodus serve")
                .contains("NEXAPI_DATA_DIR");
        assertThat(installed("/usr/bin/nexd version").stdout()).contains("nexd version " + v);
        assertThat(installed("/usr/bin/nexctl version").stdout()).contains(v);
        assertThat(installed("/usr/bin/nexodus-wg --version").stdout()).startsWith("nexodus-wg ");
        Cmd.Result playground = tryInstalled("/usr/bin/nexodus playground");
        assertThat(playground.exitCode()).isEqualTo(2);
        assertThat(playground.stderr()).contains("the playground is not in the package");

        // As root, `nexd` made its start-up cache in /var/cache/nexodus-agent: the training run loads much of the
        // agent (WireGuard, STUN, the HTTP client, Jackson, the watch stream), so this also shows the runtime has
        // the modules those need.
        Path cache = root.resolve("var/cache/nexodus-agent");
        assertThat(cache.resolve("nexd.aot"))
                .as("nexd's AOT cache; training log: %s", readOrEmpty(cache.resolve("nexd.aot.log")))
                .isNotEmptyFile();
        assertThat(cache.resolve("nexd.aot.failed")).doesNotExist();
    }

    @Test
    void theServiceStartsAsItsUnitSaysAndStops() throws Exception {
        Map<String, String> env = unitEnvironment("nexodus");
        assertThat(env).containsEntry("NEXAPI_DATA_DIR", "/var/lib/nexodus");
        String execStart = unitValue("nexodus", "ExecStart");
        assertThat(execStart).isEqualTo("/usr/bin/nexodus serve");

        // What systemd would run, minus its sandbox, on free loopback ports with a data dir of the test.
        int port = FreePorts.tcp();
        Path data = work.resolve("data");
        env.put("NEXAPI_DATA_DIR", data.toString());
        env.put("NEXAPI_LISTEN", "127.0.0.1:" + port);
        env.put("NEXAPI_STUN_PORTS", FreePorts.udp() + "," + FreePorts.udp());
        env.put("NEXAPI_DERP_LISTEN", "none");
        String url = "http://127.0.0.1:" + port;
        try (ChildProcess service =
                ChildProcess.start(work.resolve("service.log"), env, inNamespace("exec " + execStart))) {
            ServiceReady.await(service, URI.create(url + "/private/ready"));
            assertThat(service.output()).contains("nexctl").doesNotContain("bin/nexctl");

            // nexctl of the agent package against it: login with the generated admin password, a JSON listing.
            Path home = work.resolve("home");
            Files.createDirectories(home);
            String nexctl = "HOME=" + home + " NEXCTL_SERVICE_URL=" + url + " /usr/bin/nexctl";
            Cmd.Result login = tryInstalled(
                    nexctl + " login --username admin --password-stdin < " + data.resolve("admin-password"));
            assertThat(login.exitCode())
                    .as("nexctl login: %s%s", login.stdout(), login.stderr())
                    .isZero();
            Cmd.Result vpcs = tryInstalled(nexctl + " vpc list -o json");
            assertThat(vpcs.exitCode()).as("nexctl vpc list: %s", vpcs.stderr()).isZero();
            assertThat(vpcs.stdout().strip()).startsWith("[");
            // YAML too: SnakeYAML without java.desktop, which the runtime leaves out (packaging/build-deb.sh)
            Cmd.Result yaml = tryInstalled(nexctl + " vpc list -o yaml");
            assertThat(yaml.exitCode())
                    .as("nexctl vpc list -o yaml: %s", yaml.stderr())
                    .isZero();

            service.process().destroy(); // SIGTERM, as systemctl stop
            assertThat(service.process().waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within 30 s:\n%s", service.output())
                    .isTrue();
            assertThat(service.process().exitValue()).as(service.output()).isIn(0, 143);
        }
    }

    @Test
    void unitsPassSystemdAnalyzeVerifyAndSecurity() {
        // Offline checks (no running systemd needed): every key known, ExecStart= executable (the package's, seen
        // through the namespace), referenced units present; and the exposure score of the sandbox settings.
        StringBuilder names = new StringBuilder();
        UNITS.forEach(u -> names.append(' ').append(u).append(".service"));
        Cmd.Result verify = tryInstalled("cd /usr/lib/systemd/system && systemd-analyze verify" + names);
        assertThat(verify.exitCode()).as(verify.stderr()).isZero();
        assertThat(verify.stdout() + verify.stderr()).isEmpty();
        // Exposure 0.0 (safe) to 10.0 (unsafe), threshold in tenths: what the units reach today, with a little room.
        Map<String, Integer> thresholds = Map.of("nexodus", 35, "nexd", 45, "nexd-relay", 45, "nexd-relayderp", 45);
        thresholds.forEach((unit, threshold) -> {
            Cmd.Result security = tryInstalled("systemd-analyze security --offline=yes --no-pager --threshold="
                    + threshold + " /usr/lib/systemd/system/" + unit + ".service");
            assertThat(security.exitCode())
                    .as("%s exposure over %s:\n%s", unit, threshold, security.stdout())
                    .isZero();
        });
    }

    /** Runs a shell command line in a mount namespace with the installed packages; fails unless it exits 0. */
    private static Cmd.Result installed(String command) {
        Cmd.Result r = tryInstalled(command);
        assertThat(r.exitCode()).as("%s: %s%s", command, r.stdout(), r.stderr()).isZero();
        return r;
    }

    private static Cmd.Result tryInstalled(String command) {
        return Cmd.tryRun(Duration.ofSeconds(90), inNamespace(command));
    }

    /**
     * The command in a new mount namespace where the root's /usr lies over the host's, the root's /var/cache replaces
     * the host's (the launchers' start-up caches land in the root) and /usr/lib/jvm is empty.
     */
    private static List<String> inNamespace(String command) {
        // NEXCTL_AOT=0: nexctl makes its cache in the background, in a process that would outlive the command.
        String setup = "set -e; mount -t overlay overlay -o lowerdir=" + root.resolve("usr") + ":/usr /usr; "
                + "[ ! -d /usr/lib/jvm ] || mount -t tmpfs tmpfs /usr/lib/jvm; "
                + "mount --bind " + root.resolve("var/cache") + " /var/cache; "
                + "unset JAVA_HOME; export NEXCTL_AOT=0; set +e; ";
        return List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                setup + "exec sh -c '" + command.replace("'", "'\\''") + "'");
    }

    /** Environment= and the EnvironmentFile= of the installed unit, as systemd reads them (the file last). */
    private static Map<String, String> unitEnvironment(String unit) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : unitLines(unit)) {
            if (line.startsWith("Environment=")) {
                String kv = line.substring("Environment=".length());
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        String file = unitValue(unit, "EnvironmentFile").replaceFirst("^-", "");
        for (String line : Files.readAllLines(root.resolve(file.substring(1)), StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static String unitValue(String unit, String key) throws IOException {
        return unitLines(unit).stream()
                .filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError(unit + ".service has no " + key + "="));
    }

    private static List<String> unitLines(String unit) throws IOException {
        return Files.readAllLines(root.resolve("usr/lib/systemd/system/" + unit + ".service"), StandardCharsets.UTF_8);
    }

    private static List<String> dependencies() {
        List<String> deps = new ArrayList<>();
        for (String p : PACKAGES) {
            for (String d : field(p, "Depends").split(",", -1)) {
                String name = d.strip().split("[ (]", 2)[0];
                if (!deps.contains(name)) {
                    deps.add(name);
                }
            }
        }
        return deps;
    }

    private static String field(String pkg, String name) {
        return Cmd.run("dpkg-deb", "--field", DEBS.get(pkg).toString(), name)
                .stdout()
                .strip();
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
