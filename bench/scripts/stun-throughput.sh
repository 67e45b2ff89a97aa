#!/usr/bin/env bash
# STUN Binding requests/s on loopback: our StunServer (platform-thread loop, and the virtual-thread variant) vs coturn
# (`turnserver --stun-only`), all driven by the same closed-loop load generator, and the server CPU spent per request.
# Ratios are against coturn measured in the same run.
#
# usage: bench/scripts/stun-throughput.sh [--seconds N] [--sockets N] [--window N] [--no-pin]
#   By default each server is pinned to CPU 0 and the load generator to CPU 1 (taskset), so a server gets one core,
#   whatever its thread count. On a 2-core machine shared with other work, throughput is noisy: compare the ratios
#   (and the CPU-per-request column, which depends less on the load generator) rather than absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=5 sockets=4 window=32 pin=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --sockets) sockets=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --no-pin) pin=0; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v turnserver >/dev/null || { echo "turnserver (Debian package coturn) is required" >&2; exit 1; }
. bin/lib/jdk.sh
nexodus_find_jdk
java=$JAVA_HOME/bin/java

work=$(mktemp -d /tmp/stun-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building stun (test classes)..." >&2
./mvnw -B -q -pl stun -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >&2
cp="stun/target/classes:stun/target/test-classes:$(cat "$work/cp.txt")"

server_cpu=() load_cpu=()
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); load_cpu=(taskset -c 1); fi

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }   # utime+stime of all threads, in clock ticks
hz=$(getconf CLK_TCK)

# run_one NAME PID PORT -> prints a result line and stores rate in $rate and µs/request in $cpu_us
run_one() {
  local name=$1 pid=$2 port=$3 before after line total
  before=$(cpu_ticks "$pid")
  line=$("${load_cpu[@]}" "$java" -cp "$cp" io.nexodus.stun.StunLoadGenerator "127.0.0.1:$port" \
    --seconds "$seconds" --warmup 2 --sockets "$sockets" --window "$window")
  after=$(cpu_ticks "$pid")
  rate=$(sed -n 's/.*responses_per_sec=\([0-9]*\).*/\1/p' <<<"$line")
  total=$(sed -n 's/.*responses_total=\([0-9]*\).*/\1/p' <<<"$line")
  cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$total" 'BEGIN { printf "%.2f", n ? t * 1e6 / hz / n : 0 }')
  printf '%-28s %10s req/s %8s µs CPU/req   (%s)\n' "$name" "$rate" "$cpu_us" "$line"
}

start_java_server() { # PORT [--virtual-threads] -> sets $server_pid
  local log="$work/server-$1$2.log"
  "${server_cpu[@]}" "$java" -Xmx256m -cp "$cp" io.nexodus.stun.StunTool serve ${2:-} "127.0.0.1:$1" >"$log" 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 100); do grep -q '^listening' "$log" && break; sleep 0.1; done
  grep -q '^listening' "$log" || { cat "$log" >&2; exit 1; }
}

echo "STUN throughput on loopback, $(nproc) CPUs, load avg $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "load: $sockets sockets x $window in flight, ${seconds}s measured after 2s warm-up; pinned=$pin"

port=$(free_port)
"${server_cpu[@]}" turnserver -n --stun-only --no-auth --no-tls --no-dtls --no-tcp --no-cli --no-rfc5780 \
  --listening-ip 127.0.0.1 --listening-port "$port" --log-file "$work/coturn.log" --simple-log --no-stdout-log \
  --pidfile "$work/coturn.pid" --db "$work/turndb" >/dev/null 2>&1 &
coturn=$!; pids+=("$coturn")
for _ in $(seq 100); do grep -q 'Total General servers' "$work/coturn.log" 2>/dev/null && break; sleep 0.1; done
run_one "coturn $(turnserver --version 2>/dev/null | head -1)" "$coturn" "$port"
coturn_rate=$rate coturn_cpu=$cpu_us
kill "$coturn"; wait "$coturn" 2>/dev/null || true

port=$(free_port)
start_java_server "$port" ""
run_one "nexodus (platform thread)" "$server_pid" "$port"
ours_rate=$rate ours_cpu=$cpu_us
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

port=$(free_port)
start_java_server "$port" "--virtual-threads"
run_one "nexodus (virtual thread)" "$server_pid" "$port"
virt_rate=$rate virt_cpu=$cpu_us
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

awk -v o="$ours_rate" -v v="$virt_rate" -v c="$coturn_rate" -v oc="$ours_cpu" -v vc="$virt_cpu" -v cc="$coturn_cpu" 'BEGIN {
  printf "ratio vs coturn: throughput platform %.2fx, virtual %.2fx; CPU per request platform %.2fx, virtual %.2fx (lower is better)\n",
    o / c, v / c, oc / cc, vc / cc }'
