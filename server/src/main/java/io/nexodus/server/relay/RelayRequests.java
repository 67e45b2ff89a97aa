package io.nexodus.server.relay;

import io.nexodus.api.model.AddRelay;
import io.nexodus.server.http.ApiError;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * The checks of each relay request body, field by field: a bad field is a 400 ValidationError naming it. Host names
 * are checked by their form only (never looked up).
 */
final class RelayRequests {
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\\.?");
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private RelayRequests() {}

    /**
     * The request normalized: text stripped, blank optional fields null, the region name defaulting to the code, the
     * ports to 443 and 3478, the CA certificates re-encoded as PEM.
     */
    static AddRelay validate(AddRelay in) {
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
        boolean ipLiteral = Certificates.isIpLiteral(host);
        if ((!ipLiteral && !HOST.matcher(host).matches()) || host.length() > 253) {
            throw ApiError.invalid("host_name", "a DNS name or an IP address");
        }
        if (ipLiteral && literal(host, InetAddress.class) == null) {
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
        if (wanted != null && (wanted < Relays.FIRST_ADDED || wanted > Relays.LAST_ADDED)) {
            throw ApiError.invalid(
                    "region_id",
                    Relays.FIRST_ADDED + "-" + Relays.LAST_ADDED
                            + " (900 is the service's own relay, 901 an agent's onboarded relay)");
        }
        return new AddRelay(wanted, code, name, host, ipv4, ipv6, derpPort, stunPort, ca);
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
