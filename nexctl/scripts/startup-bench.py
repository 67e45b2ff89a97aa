#!/usr/bin/env python3
"""nexctl start-up time: bin/nexctl with and without its AOT cache, as ratios to a bare JVM start (`java -version`)
measured in the same run. Usage: nexctl/scripts/startup-bench.py [runs]   (default 15 runs per case)

`vpc list` and `device list` talk to a loopback stub that answers with fixed JSON, with a cached login, so they
measure nexctl (start-up, HTTP client, JSON, output) and not a service. Numbers on a shared machine are noisy:
compare the ratios, and look at the CPU column, which load disturbs less than wall time.
"""
import http.server, json, os, resource, shutil, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEXCTL = os.path.join(ROOT, "bin", "nexctl")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
ID = "11111111-1111-1111-1111-111111111111"


class Stub(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/api/vpcs"):
            body = [{"id": ID, "organization_id": ID, "description": "d", "private_cidr": False,
                     "ipv4_cidr": "100.64.0.0/10", "ipv6_cidr": "200::/64", "revision": 1}]
        elif self.path.startswith("/api/devices"):
            body = [{"id": ID, "owner_id": ID, "vpc_id": ID, "public_key": "k=", "allowed_ips": ["100.64.0.1/32"],
                     "ipv4_tunnel_ips": [{"address": "100.64.0.1", "cidr": "100.64.0.0/10"}], "ipv6_tunnel_ips": [],
                     "advertise_cidrs": [], "relay": False, "symmetric_nat": False, "hostname": "h", "os": "linux",
                     "endpoints": [], "revision": 1, "security_group_id": ID, "online": False, "online_at": None}]
        else:
            body = {"id": ID, "username": "bench", "full_name": "", "picture": ""}
        b = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def log_message(self, *args):
        pass


def measure(cmd, env):
    walls, cpus = [], []
    for _ in range(RUNS):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {p.stderr.decode()[-500:]}")
        walls.append(t1 - t0)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def main():
    home = tempfile.mkdtemp(prefix="nexctl-bench-")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        cfg = os.path.join(home, "config", "nexodus")
        os.makedirs(cfg)
        with open(os.path.join(cfg, "credentials.json"), "w") as f:
            json.dump({"services": {url: {"username": "bench", "access_token": "t", "refresh_token": "r",
                                          "expires_at": "2999-01-01T00:00:00Z"}}}, f)
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"), NEXCTL_SERVICE_URL=url)
        subprocess.run([NEXCTL, "version"], env=env, check=True, stdout=subprocess.DEVNULL)  # build + AOT cache, once
        java = subprocess.run(["bash", "-c", f". {ROOT}/bin/lib/jdk.sh && nexodus_find_jdk && echo $JAVA_HOME"],
                              capture_output=True, text=True, check=True).stdout.strip() + "/bin/java"
        anchor_wall, anchor_cpu = measure([java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-version"], env)
        load = os.getloadavg()[0]
        print(f"nexctl start-up, {RUNS} runs each, median; load average {load:.1f} on {os.cpu_count()} cores")
        print(f"{'anchor: java -version':44s} wall {anchor_wall*1000:6.0f} ms        cpu {anchor_cpu*1000:6.0f} ms")
        for args in (["version"], ["--help"], ["vpc", "list"], ["device", "list", "-o", "json"]):
            for aot in ("0", "1"):
                wall, cpu = measure([NEXCTL] + args, dict(env, NEXCTL_AOT=aot))
                label = "bin/nexctl " + " ".join(args) + ("" if aot == "1" else "  (NEXCTL_AOT=0)")
                print(f"{label:44s} wall {wall*1000:6.0f} ms ({wall/anchor_wall:4.1f}x)  cpu {cpu*1000:6.0f} ms ({cpu/anchor_cpu:4.1f}x)")
    finally:
        server.shutdown()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
