#!/usr/bin/env bash
# How fast nexd is where people notice, on the NAT lab (network namespaces) with the real service:
#   - start -> first packet with an existing peer, direct and via the WireGuard relay (JVM start included),
#     with the default JVM and with an AppCDS archive, interleaved;
#   - recovery after a NAT mapping change while a 50 ms ping runs.
# Targets: < 1 s direct, < 2 s relayed, < 5 s recovery. Not a test: prints every sample, median/min/max
# and the AppCDS/default ratio. Numbers depend on the load on the machine: run it on a quiet one.
#
#   sudo bench/scripts/nexd-timings.sh [--runs N]
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,9p' "$0" | cut -c3-; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in ip nft conntrack ping unshare; do command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 1; }; done
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/launch.sh"
cd "$ROOT"
echo "nexd timings, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
nexodus_exec io.nexodus.e2e.bench.NexdTimings --out "$ROOT/e2e/target/nexd-timings" "$@"
