#!/usr/bin/env bash
# One WireGuard flow (Java WireGuard, bin/nexodus-wg's code) between two hosts A and B, measured in one run over
#   direct  - WireGuard UDP straight between A and B (routed through host R)
#   derp    - WireGuard UDP carried over DERP/TLS through `nexd relayderp` on R (a small loopback-UDP <-> DERP
#             forwarder per side, io.nexodus.bench.derp.WireGuardDerpForwarder: a benchmark harness, not the agent)
#   hub     - through a WireGuard hub relay on R (a third Java WireGuard device, IP forwarding in R)
#   nginx   - the ceiling for a TLS relay: iperf3's TCP through nginx `stream` TLS proxies, TLS on both legs
#             (A: plain -> TLS client, R: TLS server -> TLS client, B: TLS server -> plain), no WireGuard
# Not a test: it prints numbers and ratios (DERP / nginx is the issue's target, >= 0.5).
#
#   sudo bench/scripts/derp-throughput.sh [--time SECONDS] [--runs N] [--modes direct,derp,hub,nginx]
#        [--rate 200M] [--relay-args '...'] [--keep]
# --rate paces iperf3 (-b): CPU per Gbit at a fixed offered load is the steadier figure on a busy machine.
#
# Namespaces (all created here, removed on exit): A (10.0.1.2) -- R (10.0.1.1 | 10.0.2.1, forwarding) -- B (10.0.2.2).
# Tunnel 10.9.0.0/24: A = .1, B = .2, hub = .3. Throughput: one iperf3 TCP stream A -> B per run, modes interleaved,
# repeated; latency: TCP request/response RTT (64 bytes, python echo) through each path, and ping for the WireGuard
# modes. CPU: seconds of the relay process (nexd relayderp / hub JVM / nginx on R) and of the whole path per Gbit.
# Everything shares this machine's cores; other work on it adds noise (compare ratios measured in the same run).
set -euo pipefail

TIME=10
RUNS=3
MODES="direct derp hub nginx"
RELAY_ARGS=""
KEEP=0
RATE=
while [ $# -gt 0 ]; do
  case "$1" in
    --time) TIME=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --modes) MODES=${2//,/ }; shift 2 ;;
    --relay-args) RELAY_ARGS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --rate) RATE=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in ip iperf3 wg ping python3 nginx openssl; do
  command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 1; }
done
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
if [[ " $MODES " == *" nginx "* ]] && [ ! -f "$STREAM_MODULE" ]; then
  echo "missing $STREAM_MODULE: apt-get install libnginx-mod-stream (nginx's stream proxy)" >&2; exit 1
fi

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
. bin/lib/jdk.sh
nexodus_find_jdk
JAVA="$JAVA_HOME/bin/java"

TAG="nxd$$"
A="$TAG-a"; B="$TAG-b"; R="$TAG-r"
WGA="${TAG}a"; WGB="${TAG}b"; WGH="${TAG}h"
TMP=$(mktemp -d)
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for ns in "$A" "$B" "$R"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -f /var/run/wireguard/"${TAG}"*.sock
  if [ "$KEEP" = 1 ]; then echo "logs kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

echo "== building (bench module and what it uses)" >&2
CPFILE="$TMP/classpath"
./mvnw -B -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile="$CPFILE" -Dmdep.includeScope=runtime >&2
CP="$ROOT/bench/target/classes:$(cat "$CPFILE")"
# BENCH_CP_PREPEND=dir: classes that win over the build's (e.g. another version of the derp module, for before/after)
[ -n "${BENCH_CP_PREPEND:-}" ] && CP="$BENCH_CP_PREPEND:$CP"
jvm() { # $1 namespace, $2 log name, rest: java args; sets LAST_PID
  local ns=$1 log=$2 jfr=()
  shift 2
  # BENCH_JFR_DIR=dir: a JFR recording per JVM (profiling, not for the numbers)
  [ -n "${BENCH_JFR_DIR:-}" ] && jfr=("-XX:StartFlightRecording=filename=$BENCH_JFR_DIR/$log.jfr,settings=profile")
  # shellcheck disable=SC2086
  ip netns exec "$ns" "$JAVA" -XX:+UseParallelGC -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$CP" "${jfr[@]}" ${BENCH_JVM_ARGS:-} \
    -Dlogback.configurationFile=io/nexodus/nexd/relayderp/logback-relayderp.xml "$@" \
    >"$TMP/$log.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
await_log() { # $1 log name, $2 regex, $3 seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do grep -qE "$2" "$TMP/$1.log" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for /$2/ in $1:"; cat "$TMP/$1.log"; exit 1
}

echo "== namespaces A -- R -- B ($(date -u +%FT%TZ))"
for ns in "$A" "$B" "$R"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$A" link add veth0 type veth peer name va netns "$R"
ip -n "$B" link add veth0 type veth peer name vb netns "$R"
ip -n "$A" addr add 10.0.1.2/24 dev veth0; ip -n "$A" link set veth0 up; ip -n "$A" route add default via 10.0.1.1
ip -n "$B" addr add 10.0.2.2/24 dev veth0; ip -n "$B" link set veth0 up; ip -n "$B" route add default via 10.0.2.1
ip -n "$R" addr add 10.0.1.1/24 dev va; ip -n "$R" link set va up
ip -n "$R" addr add 10.0.2.1/24 dev vb; ip -n "$R" link set vb up
for s in net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.all.rp_filter=0; do
  ip netns exec "$R" sysctl -qw "$s"
done

echo "== Java WireGuard devices: A, B, and the hub on R"
(umask 077; for i in a b h; do wg genkey >"$TMP/$i.key"; done)
PA=$(wg pubkey <"$TMP/a.key"); PB=$(wg pubkey <"$TMP/b.key"); PH=$(wg pubkey <"$TMP/h.key")
jvm "$A" wg-a io.nexodus.wireguard.cli.Main -f "$WGA"; WG_A_PID=$LAST_PID
jvm "$B" wg-b io.nexodus.wireguard.cli.Main -f "$WGB"; WG_B_PID=$LAST_PID
jvm "$R" wg-h io.nexodus.wireguard.cli.Main -f "$WGH"; WG_H_PID=$LAST_PID
for i in "$WGA" "$WGB" "$WGH"; do
  for _ in $(seq 1 300); do [ -S "/var/run/wireguard/$i.sock" ] && break; sleep 0.1; done
  [ -S "/var/run/wireguard/$i.sock" ] || { echo "$i did not start"; cat "$TMP"/wg-*.log; exit 1; }
done
ip netns exec "$A" wg set "$WGA" private-key "$TMP/a.key" listen-port 51001
ip netns exec "$B" wg set "$WGB" private-key "$TMP/b.key" listen-port 51002
ip netns exec "$R" wg set "$WGH" private-key "$TMP/h.key" listen-port 51003 \
  peer "$PA" allowed-ips 10.9.0.1/32 endpoint 10.0.1.2:51001 \
  peer "$PB" allowed-ips 10.9.0.2/32 endpoint 10.0.2.2:51002
ip -n "$A" addr add 10.9.0.1/24 dev "$WGA"; ip -n "$A" link set "$WGA" up
ip -n "$B" addr add 10.9.0.2/24 dev "$WGB"; ip -n "$B" link set "$WGB" up
ip -n "$R" addr add 10.9.0.3/24 dev "$WGH"; ip -n "$R" link set "$WGH" up

echo "== DERP relay on R (nexd relayderp, self-signed CA) and one forwarder per side"
# shellcheck disable=SC2086
jvm "$R" relay io.nexodus.nexd.relayderp.RelayDerpCommand --hostname derp.bench.test --addr :443 --no-stun \
  --state-dir "$TMP/relay" $RELAY_ARGS
RELAY_PID=$LAST_PID
await_log relay "STUN:" 60
CA="$TMP/relay/derp-certs/ca.crt"
jvm "$A" fwd-a io.nexodus.bench.derp.WireGuardDerpForwarder --relay https://derp.bench.test:443/derp --dial 10.0.1.1:443 \
  --ca "$CA" --key "$TMP/a.key" --peer "$PB" --listen 127.0.0.1:40001 --wireguard 127.0.0.1:51001
FWD_A_PID=$LAST_PID
jvm "$B" fwd-b io.nexodus.bench.derp.WireGuardDerpForwarder --relay https://derp.bench.test:443/derp --dial 10.0.2.1:443 \
  --ca "$CA" --key "$TMP/b.key" --peer "$PA" --listen 127.0.0.1:40002 --wireguard 127.0.0.1:51002
FWD_B_PID=$LAST_PID
await_log fwd-a "^forwarding" 60
await_log fwd-b "^forwarding" 60

echo "== nginx stream TLS proxies: A (plain -> TLS) -> R (TLS -> TLS) -> B (TLS -> plain)"
(
  cd "$TMP"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
    -subj "/CN=nginx bench CA" 2>/dev/null
  for h in r b; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "ng-$h.key" -out "ng-$h.csr" \
      -subj "/CN=nginx-$h.bench.test" 2>/dev/null
    printf 'subjectAltName=DNS:nginx-%s.bench.test\n' "$h" >"ng-$h.ext"
    openssl x509 -req -in "ng-$h.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "ng-$h.crt" -days 2 \
      -extfile "ng-$h.ext" 2>/dev/null
  done
)
nginx_conf() { # $1 name, $2 stream server blocks
  mkdir -p "$TMP/nginx-$1"
  cat >"$TMP/nginx-$1/nginx.conf" <<EOF
load_module $STREAM_MODULE;
user root;
worker_processes 1;
pid $TMP/nginx-$1/nginx.pid;
error_log $TMP/nginx-$1/error.log warn;
events { worker_connections 1024; }
stream {
  log_format tls '\$remote_addr \$ssl_protocol \$ssl_cipher \$bytes_received';
  ssl_protocols TLSv1.3;
  $2
}
EOF
}
CLIENT_TLS="proxy_ssl on; proxy_ssl_protocols TLSv1.3; proxy_ssl_verify on; proxy_ssl_trusted_certificate $TMP/ca.crt; proxy_ssl_server_name on;"
nginx_conf a "
  server { listen 127.0.0.1:5301; proxy_pass 10.0.1.1:5302; $CLIENT_TLS proxy_ssl_name nginx-r.bench.test; }
  server { listen 127.0.0.1:5311; proxy_pass 10.0.1.1:5312; $CLIENT_TLS proxy_ssl_name nginx-r.bench.test; }"
nginx_conf r "
  access_log $TMP/nginx-r/tls.log tls;
  ssl_certificate $TMP/ng-r.crt; ssl_certificate_key $TMP/ng-r.key;
  server { listen 10.0.1.1:5302 ssl; proxy_pass 10.0.2.2:5303; $CLIENT_TLS proxy_ssl_name nginx-b.bench.test; }
  server { listen 10.0.1.1:5312 ssl; proxy_pass 10.0.2.2:5313; $CLIENT_TLS proxy_ssl_name nginx-b.bench.test; }"
nginx_conf b "
  ssl_certificate $TMP/ng-b.crt; ssl_certificate_key $TMP/ng-b.key;
  server { listen 10.0.2.2:5303 ssl; proxy_pass 127.0.0.1:5201; }
  server { listen 10.0.2.2:5313 ssl; proxy_pass 127.0.0.1:7000; }"
for n in a:"$A" r:"$R" b:"$B"; do
  name=${n%%:*}; ns=${n#*:}
  ip netns exec "$ns" nginx -c "$TMP/nginx-$name/nginx.conf" -p "$TMP/nginx-$name" -g 'daemon off;' \
    >"$TMP/nginx-$name.out" 2>&1 &
  PIDS+=($!)
done
sleep 1
NGINX_R_PIDS=$(ip netns pids "$R" | while read -r p; do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = nginx ] && echo "$p"; done | tr '\n' ' ')
NGINX_ALL_PIDS=$(for ns in "$A" "$R" "$B"; do ip netns pids "$ns"; done | while read -r p; do
  [ "$(cat /proc/"$p"/comm 2>/dev/null)" = nginx ] && echo "$p"; done | tr '\n' ' ')

# TCP echo server in B (latency probes) and the iperf3 server
cat >"$TMP/rtt.py" <<'PY'
import socket, statistics, sys, threading, time
if sys.argv[1] == "server":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[2]))); s.listen(16)
    def serve(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            d = c.recv(4096)
            if not d: return
            c.sendall(d)
    while True:
        c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
else:
    host, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    c = socket.create_connection((host, port), timeout=5); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg, rtts = b"x" * 64, []
    for i in range(n + 20):
        t = time.perf_counter(); c.sendall(msg); got = 0
        while got < len(msg): got += len(c.recv(4096))
        if i >= 20: rtts.append((time.perf_counter() - t) * 1e3)
        time.sleep(0.005)
    rtts.sort()
    print("%.3f %.3f" % (statistics.median(rtts), rtts[int(len(rtts) * 0.9)]))
PY
ip netns exec "$B" python3 "$TMP/rtt.py" server 7000 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$B" iperf3 -s -p 5201 >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5

configure() { # $1 mode: point A's and B's WireGuard at the path (peers stay, so their sessions survive the switch)
  local mode=$1
  case $mode in
    direct|derp)
      local ea=10.0.2.2:51002 eb=10.0.1.2:51001
      [ "$mode" = derp ] && { ea=127.0.0.1:40001; eb=127.0.0.1:40002; }
      ip netns exec "$A" wg set "$WGA" peer "$PH" allowed-ips "" peer "$PB" allowed-ips 10.9.0.2/32 endpoint "$ea"
      ip netns exec "$B" wg set "$WGB" peer "$PH" allowed-ips "" peer "$PA" allowed-ips 10.9.0.1/32 endpoint "$eb" ;;
    hub)
      ip netns exec "$A" wg set "$WGA" peer "$PB" allowed-ips "" peer "$PH" allowed-ips 10.9.0.0/24 endpoint 10.0.1.1:51003
      ip netns exec "$B" wg set "$WGB" peer "$PA" allowed-ips "" peer "$PH" allowed-ips 10.9.0.0/24 endpoint 10.0.2.1:51003 ;;
  esac
  if [ "$mode" != nginx ]; then
    ip netns exec "$A" ping -q -c 3 -i 0.2 -W 5 10.9.0.2 >/dev/null \
      || { echo "$mode: the tunnel does not pass traffic"; for x in "$A:$WGA" "$B:$WGB" "$R:$WGH"; do
             ip netns exec "${x%%:*}" wg show "${x#*:}"; done; tail -n 5 "$TMP"/*.log; exit 1; }
  fi
}
target() { # $1 mode -> "host port echo-port" for A's clients
  case $1 in nginx) echo "127.0.0.1 5301 5311" ;; *) echo "10.9.0.2 5201 7000" ;; esac
}
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
relay_pids() { # $1 mode -> the process(es) doing the relaying on R
  case $1 in derp) echo "$RELAY_PID" ;; hub) echo "$WG_H_PID" ;; nginx) echo "$NGINX_R_PIDS" ;; *) echo "" ;; esac
}
path_pids() { # $1 mode -> every process on the path except iperf3
  case $1 in
    direct) echo "$WG_A_PID $WG_B_PID" ;;
    derp) echo "$WG_A_PID $WG_B_PID $FWD_A_PID $FWD_B_PID $RELAY_PID" ;;
    hub) echo "$WG_A_PID $WG_B_PID $WG_H_PID" ;;
    nginx) echo "$NGINX_ALL_PIDS" ;;
  esac
}
iperf_gbps() { # $1 host, $2 port, $3 seconds
  local pace=()
  [ -n "$RATE" ] && pace=(-b "$RATE")
  # bounded: a path that never comes up (or stalls) reports 0 instead of hanging the whole run
  timeout --kill-after=5 $(( $3 + 25 )) ip netns exec "$A" iperf3 -c "$1" -p "$2" -t "$3" --connect-timeout 10000 \
    "${pace[@]}" -J >"$TMP/iperf.json" 2>/dev/null || true
  python3 -c 'import json,sys
try:
  d=json.load(open(sys.argv[1])); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))
except Exception: print("0")' "$TMP/iperf.json"
}

echo "== warm-up (JIT), 5 s per mode"
for mode in $MODES; do
  configure "$mode"; read -r host port _ <<<"$(target "$mode")"; iperf_gbps "$host" "$port" 5 >/dev/null
done

declare -A RES RCPU PCPU WCPU FCPU
HZ=$(getconf CLK_TCK)
for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    configure "$mode"
    read -r host port _ <<<"$(target "$mode")"
    rp=$(relay_pids "$mode"); pp=$(path_pids "$mode")
    r0=$( [ -n "$rp" ] && cpu_ticks $rp || echo 0 ); p0=$(cpu_ticks $pp)
    w0=$(cpu_ticks "$WG_A_PID" "$WG_B_PID"); f0=$(cpu_ticks "$FWD_A_PID" "$FWD_B_PID")
    if [ -n "${BENCH_PERF:-}" ] && [ "$mode" = derp ]; then # BENCH_PERF=1: syscalls and context switches per process
      for x in relay:$RELAY_PID fwd-a:$FWD_A_PID fwd-b:$FWD_B_PID wg-a:$WG_A_PID wg-b:$WG_B_PID; do
        perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter -p "${x#*:}" -o "$TMP/perf-${x%%:*}-$run" \
          -- sleep "$TIME" 2>/dev/null &
      done
    fi
    g=$(iperf_gbps "$host" "$port" "$TIME")
    if [ -n "${BENCH_PERF:-}" ] && [ "$mode" = derp ]; then
      wait
      pk=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(d["end"]["sum_received"]["bytes"]/1448))' "$TMP/iperf.json" 2>/dev/null || echo 1)
      for x in relay fwd-a fwd-b wg-a wg-b; do
        awk -F, -v n="$x" -v pk="$pk" '/task-clock/ {t=$1} /context-switches/ {c=$1} /sys_enter/ {s=$1}
          END {printf "     %-6s CPU %6.0f ms  ctx switches %5.2f/pkt  syscalls %5.2f/pkt  (%d data packets)\n", n, t, c/pk, s/pk, pk}' \
          "$TMP/perf-$x-$run"
      done
    fi
    r1=$( [ -n "$rp" ] && cpu_ticks $rp || echo 0 ); p1=$(cpu_ticks $pp)
    w1=$(cpu_ticks "$WG_A_PID" "$WG_B_PID"); f1=$(cpu_ticks "$FWD_A_PID" "$FWD_B_PID")
    WCPU[$mode]="${WCPU[$mode]:-} $((w1 - w0))"
    FCPU[$mode]="${FCPU[$mode]:-} $((f1 - f0))"
    RES[$mode]="${RES[$mode]:-} $g"
    RCPU[$mode]="${RCPU[$mode]:-} $((r1 - r0))"
    PCPU[$mode]="${PCPU[$mode]:-} $((p1 - p0))"
    printf '   run %d %-6s %7.3f Gbit/s\n' "$run" "$mode" "$g"
  done
done

echo "== latency: TCP request/response through each path (200 x 64 bytes), ping for the tunnels"
declare -A LAT PING
for mode in $MODES; do
  configure "$mode"
  read -r host _ eport <<<"$(target "$mode")"
  LAT[$mode]=$(ip netns exec "$A" python3 "$TMP/rtt.py" client "$host" "$eport" 200 || echo "nan nan")
  if [ "$mode" != nginx ]; then
    PING[$mode]=$(ip netns exec "$A" ping -q -c 50 -i 0.02 -W 1 10.9.0.2 | awk -F'/' '/^rtt|^round-trip/ {print $5}')
  fi
done

DERP_CIPHER=$(grep -m1 -o 'tls=.*' "$TMP/fwd-a.log" | head -1 || true)
NGINX_CIPHER=$(awk 'NR==1 {print $2, $3}' "$TMP/nginx-r/tls.log" 2>/dev/null || true)
echo "== TLS: DERP client<->relay ${DERP_CIPHER:-?}; nginx ${NGINX_CIPHER:-?}"
echo "   machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA" -version 2>&1 | head -1)"

args=()
for mode in direct derp hub nginx; do
  args+=("$mode" "${RES[$mode]:-}" "${RCPU[$mode]:-}" "${PCPU[$mode]:-}" "${LAT[$mode]:-nan nan}" "${PING[$mode]:-nan}"
         "${WCPU[$mode]:-}" "${FCPU[$mode]:-}")
done
python3 - "$TIME" "$HZ" "${args[@]}" <<'PY'
import math, statistics, sys
t, hz = float(sys.argv[1]), float(sys.argv[2])
a = sys.argv[3:]
m = {}
for i in range(0, len(a), 8):
    name, res, rcpu, pcpu, lat, ping, wcpu, fcpu = a[i:i + 8]
    v = [float(x) for x in res.split()]
    m[name] = dict(v=v, r=[float(x) for x in rcpu.split()], p=[float(x) for x in pcpu.split()],
                   lat=[float(x) for x in lat.split()], ping=float(ping) if ping else float("nan"),
                   w=[float(x) for x in wcpu.split()], f=[float(x) for x in fcpu.split()])
def med(x): return statistics.median(x) if x else float("nan")
def per_gbit(c, v):  # CPU seconds per Gbit carried
    xs = [(ci / hz) / (vi * t) for ci, vi in zip(c, v) if vi > 0]
    return med(xs)
label = {"direct": "direct (WireGuard UDP)", "derp": "via DERP/TLS relay", "hub": "via WireGuard hub relay",
         "nginx": "nginx TLS proxy (no WG)"}
print("\n== results: one iperf3 TCP stream A -> B, %g s per run" % t)
print("  %-26s %9s %17s %14s %14s %16s %9s" % ("path", "Gbit/s", "min-max", "relay CPU/Gbit", "path CPU/Gbit",
                                               "TCP RTT p50/p90", "ping"))
for k in ["direct", "derp", "hub", "nginx"]:
    if not m[k]["v"]: continue
    d = m[k]
    lat = d["lat"] if len(d["lat"]) == 2 else [float("nan")] * 2
    rc = per_gbit(d["r"], d["v"]) if k != "direct" else float("nan")
    print("  %-26s %9.3f %8.3f-%-8.3f %12.2f s %12.2f s %7.3f/%-6.3f ms %6.3f ms" % (
        label[k], med(d["v"]), min(d["v"]), max(d["v"]), rc, per_gbit(d["p"], d["v"]), lat[0], lat[1], d["ping"]))
if m["derp"]["v"]:
    d = m["derp"]
    print("  DERP path CPU per Gbit by part: WireGuard A+B %.2f s, forwarders A+B %.2f s, relay %.2f s" % (
        per_gbit(d["w"], d["v"]), per_gbit(d["f"], d["v"]), per_gbit(d["r"], d["v"])))
def ratio(x, y):
    if not m[x]["v"] or not m[y]["v"]: return None
    per = [a / b for a, b in zip(m[x]["v"], m[y]["v"]) if b > 0]
    return med(per), per
for x, y, note in [("derp", "nginx", "target >= 0.50"), ("derp", "direct", ""), ("hub", "direct", ""),
                   ("derp", "hub", "")]:
    r = ratio(x, y)
    if r:
        print("  %-6s / %-6s  median %.2f  (per run: %s)  %s" % (x, y, r[0], ", ".join("%.2f" % p for p in r[1]), note))
print("  note: every process shares this machine's CPUs (%s); other work adds noise." % "see above")
PY
