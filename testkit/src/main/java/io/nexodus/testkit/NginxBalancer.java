package io.nexodus.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's nginx as the load balancer in front of service replicas, configured as an operator would: TLS terminated
 * at the balancer, HTTP/1.1 keep-alive to the upstreams, watch streams passed unbuffered with a read timeout far
 * above the service's 10 s keep-alive, a failed request retried on the next replica.
 *
 * <p>Open-source nginx checks upstreams only passively: a replica that refuses a connection or breaks one is skipped
 * for {@code fail_timeout} ({@code max_fails=1}); {@code proxy_next_upstream} retries a request on the next replica
 * when it failed before it was sent (any method) or, for idempotent methods, also after. It cannot poll
 * {@code /private/ready}; whoever restarts a replica waits for that itself, as an orchestrator would.
 */
public final class NginxBalancer {
    public static final Path NGINX = Path.of("/usr/sbin/nginx");

    private NginxBalancer() {}

    public static boolean available() {
        return Files.isExecutable(NGINX);
    }

    /**
     * The configuration: files (pid, logs, temporary bodies) under {@code dir}, listening with TLS on {@code listen}
     * ({@code address:port}) with {@code certificate} and {@code key}, balancing over {@code upstreams}
     * ({@code address:port} each). The access log ({@code dir/access.log}) has one line per request:
     * {@code user-agent|method uri|status|upstream(s)|upstream status|time}.
     */
    public static String config(Path dir, String listen, Path certificate, Path key, List<String> upstreams) {
        StringBuilder servers = new StringBuilder();
        for (String u : upstreams) {
            servers.append("    server ").append(u).append(" max_fails=1 fail_timeout=2s;\n");
        }
        return """
                user root;
                worker_processes 1;
                worker_rlimit_nofile 16384;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log notice;
                events { worker_connections 8192; }
                http {
                  log_format lab '$http_user_agent|$request_method $request_uri|$status|$upstream_addr|$upstream_status|$request_time';
                  access_log %1$s/access.log lab;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream nexodus {
                %2$s    keepalive 32;
                  }
                  server {
                    listen %3$s ssl;
                    ssl_certificate %4$s;
                    ssl_certificate_key %5$s;
                    location / {
                      proxy_pass http://nexodus;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $host:$server_port;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_set_header X-Forwarded-Proto https;
                      proxy_connect_timeout 2s;
                      proxy_next_upstream error timeout http_502 http_503 http_504;
                      proxy_next_upstream_tries 3;
                      proxy_buffering off;
                      proxy_read_timeout 1h;
                      proxy_send_timeout 1h;
                    }
                  }
                }
                """.formatted(dir, servers, listen, certificate, key);
    }

    /** The command line that runs nginx in the foreground with {@code config} (a file) and prefix {@code dir}. */
    public static List<String> command(Path config, Path dir) {
        return List.of(NGINX.toString(), "-c", config.toString(), "-p", dir.toString(), "-g", "daemon off;");
    }
}
