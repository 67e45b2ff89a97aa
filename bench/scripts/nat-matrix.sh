#!/usr/bin/env bash
# The NAT matrix: every pair of NAT types of the lab (public, easy NAT, symmetric NAT, double NAT, a firewall that
# lets out only TCP 443, two hosts behind one NAT, and sym2 switched to a NAT that hands out ports in turn), each in a
# VPC of its own with both agents launched together, and per pair: the method each side settles on, time to the first
# packet after both run, time until the pair is direct (if ever), throughput of a checksummed TCP transfer, and
# success over the attempts. Prints a Markdown table.
#
#   sudo bench/scripts/nat-matrix.sh [--attempts N] [--bytes BYTES] [--relay] [--only 'symmetric NAT'] [--out DIR]
#
# --relay adds a WireGuard relay to every VPC (without it, pairs that cannot go direct use the public DERP relay).
# Takes about a minute per pair and attempt on 2 cores. Needs root (network namespaces); cleans up on exit.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | cut -c3-; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in ip nft conntrack ping unshare; do command -v "$c" >/dev/null || { echo "missing $c" >&2; exit 1; }; done
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/launch.sh"
cd "$ROOT"
echo "NAT matrix, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
nexodus_exec io.nexodus.e2e.bench.NatMatrix --out "$ROOT/e2e/target/nat-matrix" "$@"
