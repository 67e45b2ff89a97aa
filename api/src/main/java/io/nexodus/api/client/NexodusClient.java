package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * A client of the Nexodus REST API (JDK {@link HttpClient}, HTTP/1.1, thread-safe; share one per process).
 * <pre>{@code
 * NexodusClient api = NexodusClient.builder(URI.create("https://nexodus.example:8443"))
 *         .bearerToken(() -> token)                       // JWT, "RK:..." or "DT:..."
 *         .tls(TlsOptions.trusting(Path.of("ca.pem")))   // or TlsOptions.insecure()
 *         .build();
 * Device d = api.devices().create(new AddDevice(...));
 * }</pre>
 * Errors are {@link ApiException} (status + decoded error body) or {@link ApiTransportException}.
 */
public final class NexodusClient {
    private final URI baseUrl;
    private final HttpClient http;
    private final Supplier<String> token;
    private final String userAgent;
    private final Duration requestTimeout;
    private final TlsOptions tls;
    private final ObjectMapper json = Json.mapper();

    private NexodusClient(Builder b) {
        this.baseUrl = stripTrailingSlash(b.baseUrl);
        this.token = b.token;
        this.userAgent = b.userAgent;
        this.requestTimeout = b.requestTimeout;
        this.tls = b.tls;
        HttpClient.Builder hb = b.httpClient != null
                ? null
                : HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(b.connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .executor(Executors.newVirtualThreadPerTaskExecutor());
        if (hb != null) {
            // every request goes to baseUrl, so a plain-HTTP service never needs TLS
            if ("https".equalsIgnoreCase(baseUrl.getScheme())) {
                hb.sslContext(b.tls.sslContext());
            } else {
                NoTlsContext.plainHttpOnly(hb);
            }
        }
        this.http = b.httpClient != null ? b.httpClient : hb.build();
    }

    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** The same service and TLS settings, authenticating with another token (e.g. switching from RK: to DT:). */
    public NexodusClient withToken(Supplier<String> newToken) {
        Builder b = new Builder(baseUrl);
        b.token = newToken;
        b.userAgent = userAgent;
        b.requestTimeout = requestTimeout;
        b.tls = tls;
        b.httpClient = http;
        return new NexodusClient(b);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public TlsOptions tls() {
        return tls;
    }

    public UsersApi users() {
        return new UsersApi(this);
    }

    public OrganizationsApi organizations() {
        return new OrganizationsApi(this);
    }

    public InvitationsApi invitations() {
        return new InvitationsApi(this);
    }

    public VpcsApi vpcs() {
        return new VpcsApi(this);
    }

    public DevicesApi devices() {
        return new DevicesApi(this);
    }

    public RegKeysApi regKeys() {
        return new RegKeysApi(this);
    }

    public SecurityGroupsApi securityGroups() {
        return new SecurityGroupsApi(this);
    }

    public FeatureFlagsApi featureFlags() {
        return new FeatureFlagsApi(this);
    }

    public EventsApi events() {
        return new EventsApi(this);
    }

    public AccountsApi accounts() {
        return new AccountsApi(this);
    }

    public AuditApi audit() {
        return new AuditApi(this);
    }

    public RelaysApi relays() {
        return new RelaysApi(this);
    }

    public ServiceApi service() {
        return new ServiceApi(this);
    }

    // ---- transport (package-private: used by the *Api classes and the watch stream) ----

    <T> T call(String method, String path, Object body, Class<T> type) {
        return type.cast(decode(method, path, exchange(method, path, body).body(), json.constructType(type)));
    }

    @SuppressWarnings("unchecked") // Jackson built the value from this very TypeReference<T>
    <T> T call(String method, String path, Object body, TypeReference<T> type) {
        return (T) decode(method, path, exchange(method, path, body).body(), json.constructType(type));
    }

    void callNoContent(String method, String path, Object body) {
        exchange(method, path, body);
    }

    <T> ListResult<T> list(String path, ListOptions options, TypeReference<List<T>> type) {
        String q = options == null ? "" : options.toQuery();
        String full = q.isEmpty() ? path : path + (path.contains("?") ? "&" : "?") + q;
        HttpResponse<byte[]> r = exchange("GET", full, null);
        @SuppressWarnings("unchecked") // Jackson built the value from this very TypeReference<List<T>>
        List<T> items = (List<T>) decode("GET", full, r.body(), json.constructType(type));
        long total = r.headers().firstValueAsLong("X-Total-Count").orElse(items.size());
        return new ListResult<>(items, total);
    }

    HttpResponse<byte[]> exchange(String method, String path, Object body) {
        HttpRequest req = request(method, path, body, requestTimeout).build();
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiTransportException(method + " " + baseUrl + path + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiTransportException(method + " " + path + ": interrupted", e);
        }
        if (r.statusCode() >= 400) {
            throw new ApiException(r.statusCode(), ErrorBodies.decode(r.statusCode(), r.body()), method, path);
        }
        return r;
    }

    /** Opens a streaming response (the watch stream); the caller closes the returned stream. */
    InputStream openStream(String method, String path, Object body) {
        HttpRequest req = request(method, path, body, null).build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ApiTransportException(method + " " + baseUrl + path + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiTransportException(method + " " + path + ": interrupted", e);
        }
        if (r.statusCode() >= 400) {
            byte[] errBody;
            try (InputStream in = r.body()) {
                errBody = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                errBody = new byte[0];
            }
            throw new ApiException(r.statusCode(), ErrorBodies.decode(r.statusCode(), errBody), method, path);
        }
        return r.body();
    }

    private HttpRequest.Builder request(String method, String path, Object body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Accept", "application/json")
                .header("User-Agent", userAgent);
        if (timeout != null) {
            b.timeout(timeout);
        }
        String t = token == null ? null : token.get();
        if (t != null && !t.isEmpty()) {
            b.header("Authorization", "Bearer " + t);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes;
            try {
                bytes = json.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalArgumentException("request body is not serializable: " + e.getMessage(), e);
            }
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        return b;
    }

    /** The body as {@code type}; null for {@code Void} or an empty body. */
    private Object decode(String method, String path, byte[] body, JavaType type) {
        if (type.getRawClass() == Void.class || body.length == 0) {
            return null;
        }
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new ApiTransportException(
                    method + " " + path + ": response is not a valid "
                            + type.getRawClass().getSimpleName() + ": " + e.getMessage(),
                    e);
        }
    }

    ObjectMapper json() {
        return json;
    }

    /** Percent-encodes one path segment (e.g. a metadata key). */
    static String segment(String s) {
        return URLEncoder.encode(Objects.requireNonNull(s), StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof ConnectException) {
            return "connection refused" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof SSLException) {
            return "TLS failure: " + m;
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static URI stripTrailingSlash(URI u) {
        String s = u.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /** Builds a {@link NexodusClient}. */
    public static final class Builder {
        private final URI baseUrl;
        private Supplier<String> token;
        private String userAgent = "nexodus-java-client/0.1";
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private TlsOptions tls = TlsOptions.DEFAULT;
        private HttpClient httpClient;

        private Builder(URI baseUrl) {
            String scheme = Objects.requireNonNull(baseUrl, "baseUrl").getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("service URL must be http(s)://host[:port]: " + baseUrl);
            }
            this.baseUrl = baseUrl;
        }

        /** The bearer token for every request, asked for each time (so it can be refreshed). Null/empty = none. */
        public Builder bearerToken(Supplier<String> token) {
            this.token = token;
            return this;
        }

        public Builder bearerToken(String token) {
            this.token = () -> token;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent);
            return this;
        }

        /** Timeout of ordinary requests (not of watch streams). Default 30 s. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        /** Use this HTTP client instead of building one (its TLS settings then apply). */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public NexodusClient build() {
            return new NexodusClient(this);
        }
    }
}
