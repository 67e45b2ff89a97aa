#!/usr/bin/env bash
# Throughput and latency of the Java userspace WireGuard (bin/nexodus-wg) against wireguard-go, with raw veth as the
# ceiling, all measured in one run on this machine. Not a test: it prints numbers and ratios.
#
#   sudo bench/scripts/wireguard-throughput.sh [--time SECONDS] [--runs N] [--streams P] [--modes raw,go,godeb,java]
#        [--java-args '--crypto-workers 1'] [--wireguard-go PATH] [--udp64]
#
# --udp64 adds, after the TCP runs, 64-byte UDP datagrams as fast as iperf3 sends them (5 s per mode and run): packets
# per second that arrive through each tunnel, the per-packet cost where throughput hides it.
#
# The anchor ("go") is the current wireguard-go release with TUN offloads and UDP GSO/GRO: --wireguard-go PATH, else
# $WIREGUARD_GO, else ../shared/anchors/wireguard-go-0.0.20250522 beside the checkout; without any of them the script
# refuses to call Debian's 2022 build the anchor. Mode "godeb" is Debian's wireguard-go (0.0.20220316, no offloads)
# from the PATH, kept as a second row for comparison with older numbers.
#
# Mode "javaf" (not in the default set) adds a third pair: Java with a packet filter installed (nexodus-wg
# --bench-filter, which reads every packet's protocol, addresses and ports and accepts it), reported as a ratio to the
# plain Java pair of the same run: the cost of the packet-filter hook.
#
# Mode "javasg" (not in the default set either) adds a Java pair whose packets pass nexd's security-group filter
# (packetfilter's stateful filter behind nexd's hook; io.nexodus.bench.wireguard.SecurityGroupWireGuard) holding a
# group of --sg-rules inbound rules (default 100) where iperf3's port is the last rule, reported as a ratio to the
# plain Java pair of the same run. Example: --modes java,javasg --runs 5
#
# Topology (the wireguard-go netns.sh layout): both daemons of a pair are started in a namespace "ns0" that has only
# loopback, so their UDP sockets live there; their TUN interfaces are moved to ns1 and ns2, and iperf3 runs between
# ns1 and ns2 through the tunnel. "raw" is a plain veth pair between two namespaces. Each measurement is a single
# iperf3 TCP stream (unless --streams) after a short warm-up; modes are interleaved and repeated so that noise from
# other work on the machine shows up as spread. Reported: Gbit/s per run, median and min-max, Java/wireguard-go
# ratio, daemon CPU seconds per Gbit transferred, and ping RTT through each path.
set -euo pipefail

TIME=10
RUNS=3
STREAMS=1
MODES="raw go godeb java"
JAVA_ARGS=""
SG_RULES=100
UDP64=0
WG_GO=${WIREGUARD_GO:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --time) TIME=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --modes) MODES=${2//,/ }; shift 2 ;;
    --java-args) JAVA_ARGS=$2; shift 2 ;;
    --sg-rules) SG_RULES=$2; shift 2 ;;
    --wireguard-go) WG_GO=$2; shift 2 ;;
    --udp64) UDP64=1; shift ;;
    -h|--help) sed -n '2,30p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in ip iperf3 wireguard-go wg ping python3; do
  command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 1; }
done

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "$WG_GO" ] && [ -x "$ROOT/../shared/anchors/wireguard-go-0.0.20250522" ]; then
  WG_GO="$ROOT/../shared/anchors/wireguard-go-0.0.20250522"
fi
case " $MODES " in
  *" go "*)
    [ -n "$WG_GO" ] && [ -x "$WG_GO" ] || {
      echo "no current wireguard-go for the anchor: pass --wireguard-go PATH or set WIREGUARD_GO (Debian's 2022" >&2
      echo "build lacks the offloads; it runs as mode godeb: --modes raw,godeb,java)" >&2
      exit 1
    } ;;
esac
GO_VERSION=$([ -n "$WG_GO" ] && "$WG_GO" --version 2>/dev/null | awk 'NR==1{print $2}' || echo none)
DEB_VERSION=$(wireguard-go --version 2>/dev/null | awk 'NR==1{print $2}')
NXWG="$ROOT/bin/nexodus-wg"
TAG="nxb$$"
TMP=$(mktemp -d)
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for ns in $(ip netns list | awk '{print $1}' | grep "^$TAG-" || true); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -f /var/run/wireguard/"${TAG}"*.sock
  rm -rf "$TMP"
}
trap cleanup EXIT

# Build the distribution up front, so no build runs during a measurement.
"$NXWG" --version >/dev/null
case " $MODES " in
  *" javasg "*)
    # shellcheck source=/dev/null
    . "$ROOT/bin/lib/jdk.sh"
    nexodus_find_jdk
    echo "building the bench module for javasg..." >&2
    (cd "$ROOT" && ./mvnw -B -q -o -pl bench -am compile dependency:build-classpath \
      -Dmdep.outputFile="$TMP/bench-cp.txt" -Dmdep.includeScope=runtime >&2)
    BENCH_CP="$ROOT/bench/target/classes:$(cat "$TMP/bench-cp.txt")"
    ;;
esac

cpu_ticks() { # utime+stime of a pid and its threads, in clock ticks
  awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

iperf_gbps() { # $1 client ns, $2 server ns, $3 server address, $4 seconds -> Gbit/s on stdout
  local port=5201
  ip netns exec "$2" iperf3 -s -1 -p $port >/dev/null 2>&1 &
  local srv=$!
  sleep 0.3
  ip netns exec "$1" iperf3 -c "$3" -p $port -t "$4" -P "$STREAMS" -J >"$TMP/iperf.json" 2>/dev/null || true
  wait $srv 2>/dev/null || true
  python3 -c 'import json,sys
try:
  d=json.load(open(sys.argv[1])); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))
except Exception: print("0")' "$TMP/iperf.json"
}

udp64_pps() { # $1 client ns, $2 server ns, $3 server address -> 64-byte datagrams per second received
  local port=5202
  ip netns exec "$2" iperf3 -s -1 -p $port >/dev/null 2>&1 &
  local srv=$!
  sleep 0.3
  ip netns exec "$1" iperf3 -c "$3" -p $port -u -l 64 -b 0 -t 5 -J >"$TMP/udp.json" 2>/dev/null || true
  wait $srv 2>/dev/null || true
  python3 -c 'import json,sys
try:
  s=json.load(open(sys.argv[1]))["end"]["sum"]; print("%.0f" % ((s["packets"]-s["lost_packets"])/s["seconds"]))
except Exception: print("0")' "$TMP/udp.json"
}

ping_rtt() { # $1 ns, $2 address -> average RTT in ms
  ip netns exec "$1" ping -q -c 50 -i 0.02 -W 1 "$2" 2>/dev/null \
    | awk -F'/' '/^rtt|^round-trip/ {print $5}'
}

setup_raw() {
  ip netns add "$TAG-r1"; ip netns add "$TAG-r2"
  ip -n "$TAG-r1" link set lo up; ip -n "$TAG-r2" link set lo up
  ip -n "$TAG-r1" link add veth1 type veth peer name veth2 netns "$TAG-r2"
  ip -n "$TAG-r1" addr add 10.201.0.1/24 dev veth1; ip -n "$TAG-r1" link set veth1 up
  ip -n "$TAG-r2" addr add 10.201.0.2/24 dev veth2; ip -n "$TAG-r2" link set veth2 up
}

# setup_pair KIND PREFIX NET: two daemons of KIND (go|java|javaf) born in PREFIX-0, TUNs in PREFIX-1 and PREFIX-2
setup_pair() {
  local kind=$1 p=$2 net=$3
  ip netns add "$p-0"; ip netns add "$p-1"; ip netns add "$p-2"
  for n in 0 1 2; do ip -n "$p-$n" link set lo up; done
  local letter=${kind:0:1}
  [ "$kind" = javaf ] && letter=f
  [ "$kind" = javasg ] && letter=s
  [ "$kind" = godeb ] && letter=d
  local a="${TAG}${letter}a" b="${TAG}${letter}b"
  for i in $a $b; do
    if [ "$kind" = go ]; then
      ip netns exec "$p-0" env WG_PROCESS_FOREGROUND=1 "$WG_GO" -f "$i" >"$TMP/$i.log" 2>&1 &
    elif [ "$kind" = godeb ]; then
      ip netns exec "$p-0" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$i" >"$TMP/$i.log" 2>&1 &
    elif [ "$kind" = javasg ]; then
      ip netns exec "$p-0" "$JAVA_HOME/bin/java" -Xms64m -Xmx512m -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
        -cp "$BENCH_CP" io.nexodus.bench.wireguard.SecurityGroupWireGuard "$i" "$SG_RULES" >"$TMP/$i.log" 2>&1 &
    elif [ "$kind" = javaf ]; then
      # shellcheck disable=SC2086
      ip netns exec "$p-0" "$NXWG" -f $JAVA_ARGS --bench-filter "$i" >"$TMP/$i.log" 2>&1 &
    else
      # shellcheck disable=SC2086
      ip netns exec "$p-0" "$NXWG" -f $JAVA_ARGS "$i" >"$TMP/$i.log" 2>&1 &
    fi
    PIDS+=($!)
  done
  for i in $a $b; do
    for _ in $(seq 1 200); do [ -S "/var/run/wireguard/$i.sock" ] && break; sleep 0.05; done
    [ -S "/var/run/wireguard/$i.sock" ] || { echo "$i did not start:"; cat "$TMP/$i.log"; exit 1; }
  done
  (umask 077; wg genkey >"$TMP/$a.key"; wg genkey >"$TMP/$b.key")
  wg set "$a" private-key "$TMP/$a.key" listen-port 0
  wg set "$b" private-key "$TMP/$b.key" listen-port 0
  local pa pb
  pa=$(wg show "$a" listen-port); pb=$(wg show "$b" listen-port)
  wg set "$a" peer "$(wg pubkey <"$TMP/$b.key")" allowed-ips "$net.2/32" endpoint "127.0.0.1:$pb"
  wg set "$b" peer "$(wg pubkey <"$TMP/$a.key")" allowed-ips "$net.1/32" endpoint "127.0.0.1:$pa"
  ip -n "$p-0" link set "$a" netns "$p-1"; ip -n "$p-0" link set "$b" netns "$p-2"
  ip -n "$p-1" addr add "$net.1/24" dev "$a"; ip -n "$p-1" link set "$a" up
  ip -n "$p-2" addr add "$net.2/24" dev "$b"; ip -n "$p-2" link set "$b" up
  ip netns exec "$p-1" ping -q -c 3 -W 5 "$net.2" >/dev/null || { echo "$kind tunnel does not pass traffic"; exit 1; }
}

daemon_pids() { # $1 = namespace of the daemons
  ip netns pids "$1"
}

echo "== setting up: $MODES; anchor wireguard-go $GO_VERSION, Debian's $DEB_VERSION ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
has() { case " $MODES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
has raw && setup_raw
has go && setup_pair go "$TAG-g" 10.202.0
has godeb && setup_pair godeb "$TAG-d" 10.206.0
has java && setup_pair java "$TAG-j" 10.203.0
has javaf && setup_pair javaf "$TAG-f" 10.204.0
has javasg && setup_pair javasg "$TAG-s" 10.205.0

echo "== warm-up (JIT) 3 s each"
has java && iperf_gbps "$TAG-j-1" "$TAG-j-2" 10.203.0.2 3 >/dev/null
has javaf && iperf_gbps "$TAG-f-1" "$TAG-f-2" 10.204.0.2 3 >/dev/null
has javasg && iperf_gbps "$TAG-s-1" "$TAG-s-2" 10.205.0.2 3 >/dev/null
has go && iperf_gbps "$TAG-g-1" "$TAG-g-2" 10.202.0.2 3 >/dev/null
has godeb && iperf_gbps "$TAG-d-1" "$TAG-d-2" 10.206.0.2 3 >/dev/null

declare -A RES CPU PPS
for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    case $mode in
      raw) c="$TAG-r1"; s="$TAG-r2"; addr=10.201.0.2; dns="" ;;
      go) c="$TAG-g-1"; s="$TAG-g-2"; addr=10.202.0.2; dns="$TAG-g-0" ;;
      godeb) c="$TAG-d-1"; s="$TAG-d-2"; addr=10.206.0.2; dns="$TAG-d-0" ;;
      java) c="$TAG-j-1"; s="$TAG-j-2"; addr=10.203.0.2; dns="$TAG-j-0" ;;
      javaf) c="$TAG-f-1"; s="$TAG-f-2"; addr=10.204.0.2; dns="$TAG-f-0" ;;
      javasg) c="$TAG-s-1"; s="$TAG-s-2"; addr=10.205.0.2; dns="$TAG-s-0" ;;
    esac
    t0=0
    if [ -n "$dns" ]; then for p in $(daemon_pids "$dns"); do t0=$((t0 + $(cpu_ticks "$p"))); done; fi
    g=$(iperf_gbps "$c" "$s" "$addr" "$TIME")
    t1=0
    if [ -n "$dns" ]; then for p in $(daemon_pids "$dns"); do t1=$((t1 + $(cpu_ticks "$p"))); done; fi
    RES[$mode]="${RES[$mode]:-} $g"
    CPU[$mode]="${CPU[$mode]:-} $(( t1 - t0 ))"
    printf '   run %d %-5s %7.3f Gbit/s\n' "$run" "$mode" "$g"
  done
done

if [ "$UDP64" = 1 ]; then
  echo "== 64-byte UDP datagrams, 5 s per mode and run"
  for run in $(seq 1 "$RUNS"); do
    for mode in $MODES; do
      case $mode in
        go) c="$TAG-g-1"; s="$TAG-g-2"; addr=10.202.0.2 ;;
        godeb) c="$TAG-d-1"; s="$TAG-d-2"; addr=10.206.0.2 ;;
        java) c="$TAG-j-1"; s="$TAG-j-2"; addr=10.203.0.2 ;;
        *) continue ;;
      esac
      pps=$(udp64_pps "$c" "$s" "$addr")
      PPS[$mode]="${PPS[$mode]:-} $pps"
      printf '   run %d %-5s %9d packets/s\n' "$run" "$mode" "$pps"
    done
  done
fi

echo "== latency (ping RTT, 50 probes)"
rtt_raw=$(has raw && ping_rtt "$TAG-r1" 10.201.0.2 || echo nan)
rtt_go=$(has go && ping_rtt "$TAG-g-1" 10.202.0.2 || echo nan)
rtt_java=$(has java && ping_rtt "$TAG-j-1" 10.203.0.2 || echo nan)
rtt_deb=$(has godeb && ping_rtt "$TAG-d-1" 10.206.0.2 || echo nan)

HZ=$(getconf CLK_TCK)
python3 - "$TIME" "$HZ" "${RES[raw]:-}" "${RES[go]:-}" "${RES[java]:-}" "${CPU[go]:-}" "${CPU[java]:-}" \
  "$rtt_raw" "$rtt_go" "$rtt_java" "${RES[javaf]:-}" "${CPU[javaf]:-}" "${RES[javasg]:-}" "${CPU[javasg]:-}" \
  "$SG_RULES" "${RES[godeb]:-}" "${CPU[godeb]:-}" "$rtt_deb" "$GO_VERSION" "$DEB_VERSION" "$STREAMS" \
  "${PPS[go]:-}" "${PPS[godeb]:-}" "${PPS[java]:-}" <<'PY'
import statistics, sys
t, hz = float(sys.argv[1]), float(sys.argv[2])
raw, go, java = ([float(x) for x in a.split()] or [float("nan")] for a in sys.argv[3:6])
cgo, cjava = ([float(x) for x in a.split()] or [float("nan")] for a in sys.argv[6:8])
rr, rg, rj = (float(x) if x else float("nan") for x in sys.argv[8:11])
javaf = [float(x) for x in sys.argv[11].split()]
cjavaf = [float(x) for x in sys.argv[12].split()]
javasg = [float(x) for x in sys.argv[13].split()]
cjavasg = [float(x) for x in sys.argv[14].split()]
sg_rules = sys.argv[15]
deb = [float(x) for x in sys.argv[16].split()]
cdeb = [float(x) for x in sys.argv[17].split()]
rd = float(sys.argv[18]) if sys.argv[18] else float("nan")
go_version, deb_version, streams = sys.argv[19], sys.argv[20], sys.argv[21]
pgo, pdeb, pjava = ([float(x) for x in a.split()] for a in sys.argv[22:25])
def line(name, v):
    print(f"  {name:<26} median {statistics.median(v):7.3f} Gbit/s   (min {min(v):.3f}, max {max(v):.3f}, runs {len(v)})")
def cpu_per_gbit(c, v):
    # daemon CPU seconds spent per Gbit carried (both daemons of the pair, all threads)
    xs = [(ci / hz) / (vi * t) for ci, vi in zip(c, v) if vi > 0]
    return statistics.median(xs) if xs else float("nan")
print("\n== results (%s iperf3 TCP stream(s), %g s per run)" % (streams, t))
line("raw veth", raw); line(f"wireguard-go {go_version}", go)
if deb:
    line(f"wireguard-go {deb_version} (Debian)", deb)
line("Java <-> Java", java)
ratios = [j / g for j, g in zip(java, go) if g > 0] or [float("nan")]
print(f"  Java / wireguard-go {go_version}   median {statistics.median(ratios):.2f}x   (per run: {', '.join('%.2f' % r for r in ratios)}; target >= 1.5)")
if deb:
    dr = [j / g for j, g in zip(java, deb) if g > 0] or [float("nan")]
    print(f"  Java / Debian's {deb_version}    median {statistics.median(dr):.2f}x   (per run: {', '.join('%.2f' % r for r in dr)})")
print(f"  CPU per Gbit (daemons)      wireguard-go {go_version} {cpu_per_gbit(cgo, go):.2f} s   Java {cpu_per_gbit(cjava, java):.2f} s"
      + (f"   Debian's {cpu_per_gbit(cdeb, deb):.2f} s" if deb else ""))
if javaf:
    line("Java with filter hook", javaf)
    fr = [f / j for f, j in zip(javaf, java) if j > 0] or [float("nan")]
    print(f"  Java filter / Java          median {statistics.median(fr):.2f}x   (per run: {', '.join('%.2f' % r for r in fr)})")
    print(f"  CPU per Gbit (daemons)      Java with filter hook {cpu_per_gbit(cjavaf, javaf):.2f} s")
if javasg:
    line(f"Java, {sg_rules}-rule group", javasg)
    sr = [f / j for f, j in zip(javasg, java) if j > 0] or [float("nan")]
    print(f"  Java SG / Java              median {statistics.median(sr):.2f}x   (per run: {', '.join('%.2f' % r for r in sr)}; target >= 0.95)")
    print(f"  CPU per Gbit (daemons)      Java with the group {cpu_per_gbit(cjavasg, javasg):.2f} s")
print(f"  ping RTT                    raw {rr:.3f} ms   wireguard-go {rg:.3f} ms (+{rg-rr:.3f})   Java {rj:.3f} ms (+{rj-rr:.3f})"
      + (f"   Debian's {rd:.3f} ms (+{rd-rr:.3f})" if deb else ""))
if pjava:
    for name, v in ((f"wireguard-go {go_version}", pgo), (f"Debian's {deb_version}", pdeb), ("Java", pjava)):
        if v:
            print(f"  64-byte UDP, {name:<24} median {statistics.median(v):9.0f} packets/s (min {min(v):.0f}, max {max(v):.0f})")
    if pgo:
        pr = [j / g for j, g in zip(pjava, pgo) if g > 0] or [float("nan")]
        print(f"  64-byte UDP, Java / wireguard-go {go_version}  median {statistics.median(pr):.2f}x")
print("  note: 2 shared vCPUs run both daemons, iperf3 and the kernel; other work on the machine adds noise.")
PY
