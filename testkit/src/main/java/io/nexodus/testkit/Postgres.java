package io.nexodus.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away PostgreSQL from Debian ({@code /usr/lib/postgresql/15/bin}) for a test or benchmark JVM: initdb into a temp
 * directory (as the {@code postgres} OS user when we are root, since initdb refuses root), started on a free
 * loopback port, one fresh database per {@link #newDatabase()}, stopped and deleted when the JVM exits (also after
 * failures). Clusters left behind by a killed JVM are removed on the next start. Used by the server's database tests
 * and the control-plane benchmark; the JDBC driver (pgjdbc) must be on the caller's class path.
 */
public final class Postgres {
    private static final Path BIN =
            Path.of(System.getenv().getOrDefault("NEXODUS_PG_BIN", "/usr/lib/postgresql/15/bin"));
    private static final String PREFIX = "nxpg-";
    private static Postgres instance;

    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private Postgres(Path dir, int port, boolean asPostgresUser) {
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
    }

    /** A program of the PostgreSQL installation ({@code initdb}, {@code postgres}, ...), for a cluster of one's own. */
    public static Path binary(String name) {
        return BIN.resolve(name);
    }

    /**
     * The command that creates a cluster in {@code data} as the tests use it (superuser postgres without password,
     * UTF-8, no fsync), run as the postgres user: initdb refuses root. The directory above {@code data} must belong
     * to that user.
     */
    public static List<String> initdbAsPostgresUser(Path data) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(initdb(data));
        return cmd;
    }

    private static List<String> initdb(Path data) {
        return List.of(
                BIN.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync");
    }

    /** The JVM's cluster, started on first use. */
    public static synchronized Postgres get() {
        if (instance == null) {
            if (!available()) {
                throw new IllegalStateException("PostgreSQL 15 not found in " + BIN + " (apt-get install postgresql)");
            }
            removeStale();
            instance = start();
            Postgres p = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "postgres-teardown"));
        }
        return instance;
    }

    private static boolean isRoot() {
        Cmd.Result r = Cmd.tryRun("id", "-u");
        return r.ok() && r.stdout().strip().equals("0");
    }

    private static Postgres start() {
        boolean root = isRoot();
        try {
            Path dir =
                    Files.createTempDirectory(PREFIX + ProcessHandle.current().pid() + "-");
            Path data = dir.resolve("data");
            if (root) {
                Cmd.run("chown", "postgres:postgres", dir.toString());
            }
            Postgres pg = new Postgres(dir, FreePorts.tcp(), root);
            pg.pgRun(Duration.ofMinutes(2), initdb(data).toArray(String[]::new));
            pg.pgRun(
                    Duration.ofSeconds(60),
                    BIN.resolve("pg_ctl").toString(),
                    "-D",
                    data.toString(),
                    "-l",
                    dir.resolve("log").toString(),
                    "-w",
                    "-o",
                    "-p " + pg.port + " -k " + dir
                            + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                            + "-c full_page_writes=off -c max_connections=300",
                    "start");
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a PostgreSQL directory", e);
        }
    }

    private void pgRun(Duration timeout, String... argv) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(argv));
        Cmd.tryRun(timeout, cmd).orThrow();
    }

    /** A new empty database; returns its JDBC URL (user postgres, no password). */
    public String newDatabase() {
        String name = "nx_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database: " + e.getMessage(), e);
        }
        return url(name);
    }

    /** The database name of a JDBC URL from {@link #newDatabase()}. */
    public static String databaseName(String jdbcUrl) {
        return jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
    }

    /**
     * A plain-SQL dump of {@code database} into {@code to}, as an operator's backup makes one ({@code pg_dump
     * --no-owner --no-privileges}).
     */
    public void dump(String database, Path to) {
        Cmd.tryRun(
                        Duration.ofMinutes(2),
                        List.of(
                                BIN.resolve("pg_dump").toString(),
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(port),
                                "-U",
                                "postgres",
                                "--no-owner",
                                "--no-privileges",
                                "-f",
                                to.toString(),
                                database))
                .orThrow();
    }

    /** A new database loaded from a plain-SQL dump ({@code psql}, stopping at the first error); its JDBC URL. */
    public String restore(Path dumpFile) {
        String url = newDatabase();
        Cmd.tryRun(
                        Duration.ofMinutes(2),
                        List.of(
                                BIN.resolve("psql").toString(),
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(port),
                                "-U",
                                "postgres",
                                "-q",
                                "-v",
                                "ON_ERROR_STOP=1",
                                "-f",
                                dumpFile.toString(),
                                databaseName(url)))
                .orThrow();
        return url;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    void stop() {
        Cmd.Result r = Cmd.tryRun(
                Duration.ofSeconds(30),
                withUser(
                        BIN.resolve("pg_ctl").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-m",
                        "immediate",
                        "-w",
                        "stop"));
        if (!r.ok()) {
            System.err.println("pg_ctl stop: " + r.stderr());
        }
        Cmd.tryRun(Duration.ofSeconds(30), List.of("rm", "-rf", dir.toString()));
    }

    private List<String> withUser(String... argv) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(argv));
        return cmd;
    }

    /** Stops and deletes clusters of test JVMs that no longer run. */
    private static void removeStale() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var s = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path d : s) {
                String rest = d.getFileName().toString().substring(PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                boolean root = isRoot();
                List<String> stop = new ArrayList<>();
                if (root) {
                    stop.addAll(List.of("runuser", "-u", "postgres", "--"));
                }
                stop.addAll(List.of(
                        BIN.resolve("pg_ctl").toString(),
                        "-D",
                        d.resolve("data").toString(),
                        "-m",
                        "immediate",
                        "stop"));
                Cmd.tryRun(Duration.ofSeconds(20), stop);
                Cmd.tryRun(Duration.ofSeconds(20), List.of("rm", "-rf", d.toString()));
            }
        } catch (IOException e) {
            // nothing to clean
        }
    }
}
