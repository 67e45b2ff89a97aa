package io.nexodus.nexctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexodus.api.auth.OAuthException;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.ValidationError;
import io.nexodus.api.nexdctl.NexdProtocolException;
import io.nexodus.api.nexdctl.NexdRpcException;
import io.nexodus.api.nexdctl.NexdUnreachableException;
import io.nexodus.api.nexdctl.NexdVersionMismatchException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Turns every failure into one clear message on stderr and an exit code ({@link ExitCodes}). API errors follow
 * upstream's form {@code error: <message>, status: <code>} plus the details the body carries (field and reason,
 * conflicting id, resource, trace id); transport failures say what to check.
 */
public final class ErrorReporter {
    private final PrintStream err;
    private final boolean debug;
    private final URI serviceUrl;

    public ErrorReporter(PrintStream err, boolean debug, URI serviceUrl) {
        this.err = err;
        this.debug = debug;
        this.serviceUrl = serviceUrl;
    }

    /** Prints the failure and returns the exit code. */
    public int report(Throwable e) {
        return report(e, null);
    }

    /** As {@link #report(Throwable)}; a usage error also names {@code command}'s help. */
    public int report(Throwable e, String command) {
        Report r = classify(e);
        err.println(r.message());
        if (command != null && e instanceof CliException && r.exitCode() == ExitCodes.USAGE) {
            err.println("Try '" + command + " --help' for more information.");
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return r.exitCode();
    }

    /** A message and an exit code. */
    public record Report(int exitCode, String message) {}

    public Report classify(Throwable e) {
        return switch (e) {
            case CliException c -> new Report(c.exitCode(), "error: " + c.getMessage());
            case picocli.CommandLine.ParameterException p ->
                new Report(
                        ExitCodes.USAGE,
                        "error: " + p.getMessage() + "\nTry '"
                                + p.getCommandLine().getCommandSpec().qualifiedName()
                                + " --help' for more information.");
            case ApiException a -> api(a);
            case ApiTransportException t -> transport(t);
            case OAuthException o -> oauth(o);
            case NexdUnreachableException u -> new Report(ExitCodes.UNREACHABLE, "error: " + u.getMessage() + hint(u));
            case NexdVersionMismatchException v ->
                new Report(ExitCodes.ERROR, "error: " + v.getMessage() + " (use the nexctl that came with this nexd)");
            case NexdRpcException r -> new Report(ExitCodes.ERROR, "error: nexd: " + r.getMessage());
            case NexdProtocolException p -> new Report(ExitCodes.ERROR, "error: " + p.getMessage());
            case UncheckedIOException io -> new Report(ExitCodes.ERROR, "error: " + io.getMessage());
            default ->
                new Report(
                        ExitCodes.ERROR,
                        "error: unexpected " + e.getClass().getName()
                                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                                + (debug ? "" : " (run with --debug for details)"));
        };
    }

    private Report api(ApiException a) {
        StringBuilder sb = new StringBuilder("error: ")
                .append(a.error())
                .append(", status: ")
                .append(a.status());
        switch (a.body()) {
            case ValidationError v -> {
                if (v.field() != null && !v.field().isEmpty()) {
                    sb.append(", field: ").append(v.field());
                }
                if (v.reason() != null && !v.reason().isEmpty()) {
                    sb.append(", reason: ").append(v.reason());
                }
            }
            case ConflictsError c -> {
                if (c.id() != null && !c.id().isEmpty()) {
                    sb.append(", id: ").append(c.id());
                }
            }
            case NotFoundError n -> {
                if (n.resource() != null && !n.resource().isEmpty()) {
                    sb.append(", resource: ").append(n.resource());
                }
            }
            case NotAllowedError n -> {
                if (n.reason() != null && !n.reason().isEmpty()) {
                    sb.append(", reason: ").append(n.reason());
                }
            }
            case InternalServerError i -> {
                if (i.traceId() != null && !i.traceId().isEmpty()) {
                    sb.append(", trace id: ").append(i.traceId());
                }
            }
            case BaseError b -> {}
        }
        if (a.status() == 401) {
            sb.append("\nnot logged in, or the session is no longer valid: run `nexctl login`");
            return new Report(ExitCodes.AUTH, sb.toString());
        }
        return new Report(ExitCodes.ERROR, sb.toString());
    }

    private Report transport(ApiTransportException t) {
        Throwable cause = rootOf(t);
        String where = serviceUrl == null ? "the service" : "the service at " + serviceUrl;
        SSLException tls = has(t, SSLException.class);
        if (tls != null && plaintextPeer(tls)) {
            return new Report(
                    ExitCodes.UNREACHABLE,
                    "error: " + where + " does not speak TLS on that port (it answered in plain text)"
                            + "\nUse an http:// service URL for it, or serve TLS (`nexodus serve --tls self-signed`).");
        }
        if (tls != null) {
            return new Report(
                    ExitCodes.UNREACHABLE,
                    "error: TLS with " + where + " failed: " + message(has(t, SSLException.class))
                            + "\nIf the service uses its own CA (e.g. `nexodus serve --tls self-signed`), pass --ca-cert <that CA file>;"
                            + " for a throw-away test setup, --insecure-skip-tls-verify.");
        }
        if (has(t, UnknownHostException.class) != null || has(t, UnresolvedAddressException.class) != null) {
            return new Report(
                    ExitCodes.UNREACHABLE,
                    "error: cannot reach " + where + ": unknown host"
                            + "\nCheck --service-url (or NEXCTL_SERVICE_URL).");
        }
        if (has(t, HttpConnectTimeoutException.class) != null || has(t, HttpTimeoutException.class) != null) {
            return new Report(
                    ExitCodes.UNREACHABLE, "error: " + where + " did not answer in time (" + message(t) + ")");
        }
        if (has(t, ConnectException.class) != null) {
            return new Report(
                    ExitCodes.UNREACHABLE,
                    "error: cannot reach " + where + ": connection refused"
                            + "\nIs it running (`bin/nexodus serve` in a checkout, `systemctl status nexodus` from the package)?"
                            + " Is --service-url (or NEXCTL_SERVICE_URL) right?");
        }
        if (has(t, JsonProcessingException.class) != null) {
            return new Report(
                    ExitCodes.ERROR,
                    "error: " + t.getMessage() + "\nIs " + (serviceUrl == null ? "--service-url" : serviceUrl)
                            + " a Nexodus service?");
        }
        if (has(t, IOException.class) != null) {
            return new Report(
                    ExitCodes.UNREACHABLE,
                    "error: cannot talk to " + where + ": " + message(cause)
                            + (t.getMessage() != null && t.getMessage().contains("https") ? "" : httpsHint()));
        }
        return new Report(
                ExitCodes.ERROR,
                "error: " + t.getMessage() + "\nIs " + (serviceUrl == null ? "--service-url" : serviceUrl)
                        + " a Nexodus service?");
    }

    private String httpsHint() {
        return serviceUrl != null && "http".equals(serviceUrl.getScheme())
                ? "\n(If the service serves HTTPS, use an https:// --service-url.)"
                : "";
    }

    private static Report oauth(OAuthException o) {
        if ("invalid_grant".equals(o.error())) {
            return new Report(ExitCodes.AUTH, "error: login failed: invalid username or password");
        }
        if (o.status() == 429) {
            return new Report(
                    ExitCodes.AUTH,
                    "error: login refused for now: "
                            + (o.description().isEmpty()
                                    ? "too many failed logins; try again later"
                                    : o.description()));
        }
        return new Report(ExitCodes.AUTH, "error: login failed: " + o.getMessage());
    }

    private static String hint(NexdUnreachableException u) {
        return switch (u.reason()) {
            case NO_SOCKET ->
                "\nIs nexd running? As root its socket is /var/run/nexd.sock, otherwise $HOME/.nexodus/nexd.sock;"
                        + " pass --unix-socket to choose another.";
            case NOT_LISTENING -> "\nThe socket file exists but nexd is not running.";
            case PERMISSION_DENIED ->
                "\nThe control socket belongs to the user nexd runs as: run nexctl as that user (e.g. with sudo).";
            case TIMEOUT, CONNECTION_LOST -> "";
        };
    }

    /** The JDK's words (old and new) for a peer that answered the TLS hello in plain text, i.e. plain HTTP. */
    private static boolean plaintextPeer(SSLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("plaintext connection") || m.contains("Unsupported or unrecognized SSL message");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T has(Throwable t, Class<T> type) {
        for (Throwable c : causeChain(t)) {
            if (type.isInstance(c)) {
                return (T) c;
            }
        }
        return null;
    }

    private static Throwable rootOf(Throwable t) {
        return causeChain(t).getLast();
    }

    /** {@code t} and its causes, each once: a chain that loops back on itself ends where it would repeat. */
    private static List<Throwable> causeChain(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    private static String message(Throwable t) {
        if (t == null) {
            return "";
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
