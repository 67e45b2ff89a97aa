package io.nexodus.server.relay;

import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.Route;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /api/relays}: the public DERP relays agents may use. {@code GET} (any authenticated caller, devices included)
 * returns a DERP-map-like {@link RelayMap}: the relay built into the service (region 900, derived from the running
 * relay and the service URL) and the relays administrators added ({@code POST}, {@code DELETE}; stored in
 * {@code public_relays}).
 */
public final class RelayRoutes {
    static final int FIRST_ADDED = 902;
    static final int LAST_ADDED = 999;
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\\.?");
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final String COLS =
            "region_id, region_code, region_name, host_name, ipv4, ipv6, derp_port, stun_port, ca_pem";

    private final Database db;
    private final Supplier<List<RelayRegion>> builtIn;

    /** @param builtIn the relays the service itself runs (empty when its relay is off) */
    public RelayRoutes(Database db, Supplier<List<RelayRegion>> builtIn) {
        this.db = db;
        this.builtIn = builtIn;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/relays")
                        .tag("Relays")
                        .access(Access.AUTHENTICATED)
                        .summary(
                                "The public DERP relays (a DERP map: region 900 is the service's own relay, 902-999 added by administrators)")
                        .returns(RelayMap.class)
                        .handler(this::list),
                Route.post("/api/relays")
                        .tag("Relays")
                        .access(Access.ADMIN)
                        .status(201)
                        .summary("Add a public DERP relay (administrators)")
                        .body(AddRelay.class)
                        .returns(RelayRegion.class)
                        .errors(400, 403, 409)
                        .handler(this::create),
                Route.delete("/api/relays/{region_id}")
                        .tag("Relays")
                        .access(Access.ADMIN)
                        .summary(
                                "Remove an added public DERP relay (administrators; the built-in region 900 cannot be removed)")
                        .returns(RelayRegion.class)
                        .errors(400, 403, 404)
                        .handler(this::delete));
    }

    private Object list(Call c) {
        Map<String, RelayRegion> regions = new LinkedHashMap<>();
        for (RelayRegion r : builtIn.get()) {
            regions.put(Integer.toString(r.regionId()), r);
        }
        for (RelayRegion r : db.read(
                tx -> tx.query("SELECT " + COLS + " FROM public_relays ORDER BY region_id", RelayRoutes::map))) {
            regions.putIfAbsent(Integer.toString(r.regionId()), r);
        }
        return new RelayMap(regions);
    }

    static RelayRegion map(ResultSet rs) throws SQLException {
        int id = rs.getInt("region_id");
        String host = rs.getString("host_name");
        int derpPort = rs.getInt("derp_port");
        String ca = rs.getString("ca_pem");
        RelayNode node = new RelayNode(
                id + "nex",
                id,
                host,
                rs.getString("ipv4"),
                rs.getString("ipv6"),
                derpPort,
                rs.getInt("stun_port"),
                url(host, derpPort),
                ca != null,
                ca);
        return new RelayRegion(id, rs.getString("region_code"), rs.getString("region_name"), false, List.of(node));
    }

    static String url(String host, int port) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "https://" + h + ":" + port + "/derp";
    }

    private Object create(Call c) {
        AddRelay in = c.body(AddRelay.class);
        if (in.regionCode() == null || in.regionCode().isBlank()) {
            throw ApiError.missing("region_code");
        }
        String code = in.regionCode().strip();
        if (!CODE.matcher(code).matches()) {
            throw ApiError.invalid("region_code", "lower-case letters, digits and '-', at most 32 characters");
        }
        if (in.hostName() == null || in.hostName().isBlank()) {
            throw ApiError.missing("host_name");
        }
        String host = in.hostName().strip();
        if (!Certificates.isIpLiteral(host) && !HOST.matcher(host).matches() || host.length() > 253) {
            throw ApiError.invalid("host_name", "a DNS name or an IP address");
        }
        if (Certificates.isIpLiteral(host) && literal(host, InetAddress.class) == null) {
            throw ApiError.invalid("host_name", "not a valid IP address");
        }
        String name = in.regionName() == null || in.regionName().isBlank()
                ? code
                : in.regionName().strip();
        if (name.length() > 255) {
            throw ApiError.invalid("region_name", "at most 255 characters");
        }
        String ipv4 = blankToNull(in.ipv4());
        if (ipv4 != null && literal(ipv4, Inet4Address.class) == null) {
            throw ApiError.invalid("ipv4", "not an IPv4 address");
        }
        String ipv6 = blankToNull(in.ipv6());
        if (ipv6 != null && literal(ipv6, Inet6Address.class) == null) {
            throw ApiError.invalid("ipv6", "not an IPv6 address");
        }
        int derpPort = in.derpPort() == null ? 443 : in.derpPort();
        if (derpPort < 1 || derpPort > 65535) {
            throw ApiError.invalid("derp_port", "1-65535");
        }
        int stunPort = in.stunPort() == null ? 3478 : in.stunPort();
        if (stunPort != -1 && (stunPort < 1 || stunPort > 65535)) {
            throw ApiError.invalid("stun_port", "1-65535, or -1 for no STUN");
        }
        String ca = blankToNull(in.caPem());
        if (ca != null) {
            try {
                ca = Certificates.parsePem(ca).stream().map(Certificates::toPem).reduce("", String::concat);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("ca_pem", e.getMessage());
            }
        }
        Integer wanted = in.regionId();
        if (wanted != null && (wanted < FIRST_ADDED || wanted > LAST_ADDED)) {
            throw ApiError.invalid(
                    "region_id",
                    FIRST_ADDED + "-" + LAST_ADDED
                            + " (900 is the service's own relay, 901 an agent's onboarded relay)");
        }
        for (RelayRegion r : builtIn.get()) {
            if (r.regionCode().equals(code)) {
                throw ApiError.conflict(r.regionId());
            }
        }
        String caPem = ca;
        return db.write(tx -> {
            tx.lockRevisions(); // serialises concurrent adds (id allocation), like every other allocation here
            Optional<Integer> sameCode =
                    tx.queryOne("SELECT region_id FROM public_relays WHERE region_code = ?", rs -> rs.getInt(1), code);
            if (sameCode.isPresent()) {
                throw ApiError.conflict(sameCode.get());
            }
            int id;
            if (wanted != null) {
                if (tx.exists("SELECT 1 FROM public_relays WHERE region_id = ?", wanted)) {
                    throw ApiError.conflict(wanted);
                }
                id = wanted;
            } else {
                id = freeId(tx);
            }
            tx.update(
                    "INSERT INTO public_relays (" + COLS + ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    code,
                    name,
                    host,
                    ipv4,
                    ipv6,
                    derpPort,
                    stunPort,
                    caPem,
                    tx.now());
            return find(tx, id).orElseThrow();
        });
    }

    private static int freeId(Tx tx) throws SQLException {
        List<Integer> taken = tx.query("SELECT region_id FROM public_relays ORDER BY region_id", rs -> rs.getInt(1));
        int id = FIRST_ADDED;
        for (int t : taken) {
            if (t == id) {
                id++;
            } else if (t > id) {
                break;
            }
        }
        if (id > LAST_ADDED) {
            throw ApiError.badRequest("no free region id: " + (LAST_ADDED - FIRST_ADDED + 1) + " relays exist already");
        }
        return id;
    }

    private static Optional<RelayRegion> find(Tx tx, int id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM public_relays WHERE region_id = ?", RelayRoutes::map, id);
    }

    private Object delete(Call c) {
        int id;
        try {
            id = Integer.parseInt(c.path("region_id"));
        } catch (NumberFormatException e) {
            throw new ApiError(
                    400,
                    new io.nexodus.api.model.ValidationError("path parameter invalid", "region_id", "not a number"));
        }
        for (RelayRegion r : builtIn.get()) {
            if (r.regionId() == id) {
                throw ApiError.notAllowed(
                        "the service's own relay cannot be removed; start the service with --derp-listen none to turn it off");
            }
        }
        return db.write(tx -> {
            RelayRegion r = find(tx, id).orElseThrow(() -> ApiError.notFound("relay"));
            tx.update("DELETE FROM public_relays WHERE region_id = ?", id);
            return r;
        });
    }

    private static <T extends InetAddress> T literal(String s, Class<T> kind) {
        if (s.indexOf(':') < 0 && !DOTTED_QUAD.matcher(s).matches()) {
            return null; // ofLiteral also takes inet_aton forms such as 1.2.3; only the usual dotted quad here
        }
        try {
            InetAddress a = InetAddress.ofLiteral(s); // never a DNS lookup
            return kind.isInstance(a) ? kind.cast(a) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
