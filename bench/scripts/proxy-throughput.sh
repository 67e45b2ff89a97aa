#!/usr/bin/env bash
# TCP throughput through `nexd proxy` (WireGuard on the userspace network stack, ports forwarded) against an ordinary
# nexd with its kernel TUN, measured in the same run on a small NAT lab (network namespaces) with the real service:
# pub-a runs both agents (the proxy one without any capability), pub-b an ordinary nexd. Both directions: from pub-a
# (proxy: egress rule from 127.0.0.1) and to pub-a (proxy: ingress rule to 127.0.0.1). Modes are interleaved, each
# sample one checksummed transfer; prints every sample, medians and the proxy/TUN ratios. Target ratio >= 0.5.
# Not a test. Numbers depend on the load on the machine: run it on a quiet one.
#
#   sudo bench/scripts/proxy-throughput.sh [--runs N] [--mib M]
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,9p' "$0" | cut -c3-; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in ip nft unshare setpriv; do command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 1; }; done
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/launch.sh"
cd "$ROOT"
echo "nexd proxy throughput, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
nexodus_exec io.nexodus.e2e.bench.ProxyThroughput --out "$ROOT/e2e/target/proxy-throughput" "$@"
