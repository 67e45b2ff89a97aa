package io.nexodus.nexctl;

import static io.nexodus.nexctl.Fixtures.USER;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of failure becomes one clear message and the documented exit code. */
class ErrorMappingTest {
    @TempDir
    Path home;

    CannedService svc;
    NexctlRunner nexctl;
    List<String> login;

    @BeforeEach
    void setUp() throws IOException {
        svc = new CannedService();
        svc.on("GET /api/users/me", 200, USER);
        nexctl = new NexctlRunner(home);
        login = List.of("--service-url", svc.url().toString(), "--username", "admin", "--password", "secret");
    }

    @AfterEach
    void tearDown() {
        svc.close();
    }

    private NexctlRunner.Result run(String... args) {
        return nexctl.run(NexctlRunner.args(login, args));
    }

    @Test
    void apiErrorBodiesBecomeUpstreamStyleMessages() {
        String vpc = "/api/vpcs/" + Fixtures.VPC2_ID;
        record Case(int status, String body, int exit, String message) {}
        List<Case> cases = List.of(
                new Case(
                        404,
                        "{\"error\":\"not found\",\"resource\":\"vpc\"}",
                        1,
                        "error: not found, status: 404, resource: vpc"),
                new Case(
                        409,
                        "{\"id\":\"" + Fixtures.VPC_ID + "\",\"error\":\"resource already exists\"}",
                        1,
                        "error: resource already exists, status: 409, id: " + Fixtures.VPC_ID),
                // an advertised network another device holds: the message names it, id too on an update
                new Case(
                        409,
                        "{\"id\":\"" + Fixtures.VPC_ID + "\",\"error\":\"advertise_cidrs: 10.1.0.0/24 overlaps"
                                + " 10.1.0.0/16 advertised by device " + Fixtures.VPC_ID + "\"}",
                        1,
                        "error: advertise_cidrs: 10.1.0.0/24 overlaps 10.1.0.0/16 advertised by device "
                                + Fixtures.VPC_ID + ", status: 409, id: " + Fixtures.VPC_ID),
                new Case(
                        422,
                        "{\"error\":\"invalid security rule\",\"field\":\"port_range\",\"reason\":\"from > to\"}",
                        1,
                        "error: invalid security rule, status: 422, field: port_range, reason: from > to"),
                new Case(
                        400,
                        "{\"error\":\"default vpc cannot be deleted\"}",
                        1,
                        "error: default vpc cannot be deleted, status: 400"),
                new Case(
                        403,
                        "{\"error\":\"operation not allowed\",\"reason\":\"only an owner may do this\"}",
                        1,
                        "error: operation not allowed, status: 403, reason: only an owner may do this"),
                new Case(
                        500,
                        "{\"error\":\"internal server error\",\"trace_id\":\"t-42\"}",
                        1,
                        "error: internal server error, status: 500, trace id: t-42"),
                new Case(502, "<html>bad gateway</html>", 1, "error: <html>bad gateway</html>, status: 502"),
                new Case(
                        401,
                        "{\"error\":\"invalid token\"}",
                        3,
                        "error: invalid token, status: 401\nnot logged in, or the session is no longer valid: run `nexctl login`"));
        for (Case c : cases) {
            svc.on("DELETE " + vpc, r -> new CannedService.Response(c.status(), c.body(), Map.of()));
            NexctlRunner.Result r = run("vpc", "delete", "--vpc-id", Fixtures.VPC2_ID);
            assertThat(r.exitCode()).as(c + "\n" + r).isEqualTo(c.exit());
            assertThat(r.err()).as(c.toString()).isEqualTo(c.message() + "\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void somethingThatIsNotTheApi() {
        svc.on("GET /api/vpcs", r -> new CannedService.Response(200, "<html>hello</html>", Map.of()));
        NexctlRunner.Result r = run("vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("response is not a valid").contains("Is " + svc.url() + " a Nexodus service?");
    }

    @Test
    void unreachableServiceIsExplained() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NexctlRunner.Result r = nexctl.run(
                "--service-url", "http://127.0.0.1:" + port, "--username", "a", "--password", "b", "vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err())
                .isEqualTo("error: cannot reach the service at http://127.0.0.1:" + port + ": connection refused\n"
                        + "Is it running (`bin/nexodus serve` in a checkout, `systemctl status nexodus` from the package)?"
                        + " Is --service-url (or NEXCTL_SERVICE_URL) right?\n");

        // https:// to a port that speaks plain HTTP: said so, not a hint about CA files
        try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = plain.accept()) {
                    s.getInputStream().read(new byte[512]);
                    s.getOutputStream()
                            .write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test asserts on the client side
                }
            });
            r = nexctl.run(
                    "--service-url",
                    "https://127.0.0.1:" + plain.getLocalPort(),
                    "--username",
                    "a",
                    "--password",
                    "b",
                    "vpc",
                    "list");
            t.join(5000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err())
                .startsWith("error: the service at https://")
                .contains("does not speak TLS on that port")
                .contains("Use an http:// service URL")
                .doesNotContain("--ca-cert");
    }

    @Test
    void badGlobalOptionsAreUsageErrors() {
        NexctlRunner.Result r = nexctl.run("--service-url", "localhost:8080", "vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("""
                        error: --service-url must look like https://host[:port] or http://host:port, not localhost:8080
                        Try 'nexctl vpc list --help' for more information.
                        """);
        r = nexctl.run(
                "--service-url",
                "https://x:1",
                "--ca-cert",
                home.resolve("nope.pem").toString(),
                "--username",
                "a",
                "--password",
                "b",
                "vpc",
                "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--ca-cert").contains("no such readable file");
        r = nexctl.run(
                "--service-url",
                "https://x:1",
                "--ca-cert",
                "/etc/hostname",
                "--insecure-skip-tls-verify",
                "--username",
                "a",
                "--password",
                "b",
                "vpc",
                "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("exclude each other");
    }

    @Test
    void debugShowsWhatHappensAndTheStackTrace() {
        svc.on("GET /api/vpcs", 404, "{\"error\":\"not found\",\"resource\":\"route\"}");
        NexctlRunner.Result r = run("--debug", "vpc", "list");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err())
                .contains("debug: one-shot password login as admin")
                .contains("debug: identity provider")
                .contains("error: not found, status: 404")
                .contains("io.nexodus.api.client.ApiException");
        r = nexctl.env("NEXCTL_DEBUG", "1").run(NexctlRunner.args(login, "vpc", "list"));
        assertThat(r.err()).contains("debug: ");
    }

    @Test
    void tlsWithTheServicesOwnCa() throws Exception {
        Path ks = home.resolve("server.p12");
        Path pem = home.resolve("ca.pem");
        keytool(
                "-genkeypair",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-alias",
                "srv",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=nexodus-test",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2");
        keytool(
                "-exportcert",
                "-rfc",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-alias",
                "srv",
                "-file",
                pem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        try (CannedService tls = new CannedService(ctx)) {
            tls.on("GET /api/users/me", 200, USER);
            List<String> base =
                    List.of("--service-url", tls.url().toString(), "--username", "admin", "--password", "secret");
            NexctlRunner.Result r = nexctl.run(NexctlRunner.args(base, "user", "get-current"));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err())
                    .startsWith("error: TLS with the service at " + tls.url() + " failed: ")
                    .contains("pass --ca-cert <that CA file>")
                    .contains("--insecure-skip-tls-verify");

            r = nexctl.run(NexctlRunner.args(base, "--ca-cert", pem.toString(), "user", "get-current"));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).contains("admin");

            r = nexctl.env("NEXCTL_CA_CERT", pem.toString()).run(NexctlRunner.args(base, "user", "get-current"));
            assertThat(r.exitCode()).as(r.toString()).isZero();

            r = nexctl.env("NEXCTL_CA_CERT", null)
                    .run(NexctlRunner.args(base, "--insecure-skip-tls-verify", "user", "get-current"));
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
