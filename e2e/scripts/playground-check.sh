#!/usr/bin/env bash
# Checks that the playground tells the truth, as a person would watch it (needs root; about two minutes):
# three agents (easy-a, easy-b behind two easy NATs, sym-a behind a symmetric NAT) and the WireGuard relay come up,
# every pair shows `ok` (a ping through the tunnel was answered), easy-a and easy-b reach each other `reflexive`, the
# others `via-relay`; then `remap easy1` gives easy1 a new port range and easy-b's line must show easy-a's endpoint in
# that range while the pair stays `ok`. Exits non-zero on any difference; the playground removes its namespaces.
#   e2e/scripts/playground-check.sh
set -u
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mktemp /tmp/nexodus-playground-check.XXXXXX)
trap 'rm -f "$OUT"' EXIT
(sleep 75; echo "remap easy1"; sleep 30; echo quit) |
  timeout 240 "$REPO/bin/nexodus" playground --agents easy-a,easy-b,sym-a --dir /tmp/nexodus-playground-check \
    --refresh 5 >"$OUT" 2>&1
fail() { echo "playground-check: $*" >&2; tail -30 "$OUT" >&2; exit 1; }

range=$(grep -o 'now maps to ports [0-9]*-[0-9]*' "$OUT" | tail -1 | grep -o '[0-9]*-[0-9]*') || fail "the remap did not run"
# the last table of the run
after=$(awk '/^Nexodus playground/{t=""} {t=t $0 "\n"} END{printf "%s", t}' "$OUT")
[ "$(grep -c ' ok ' <<<"$after")" -ge 6 ] || fail "not every pair is ok at the end"
grep -q '^easy-a - easy-b .* ok  easy-a: reflexive .* easy-b: reflexive' <<<"$after" || fail "easy-a and easy-b not reflexive"
grep -q '^easy-a - sym-a .* ok  easy-a: via-relay' <<<"$after" || fail "easy-a - sym-a not via the relay"
port=$(grep '^easy-a - easy-b' <<<"$after" | sed -n 's/.*easy-b: reflexive 198\.51\.100\.11:\([0-9]*\).*/\1/p')
lo=${range%-*}
hi=${range#*-}
[ -n "$port" ] && [ "$port" -ge "$lo" ] && [ "$port" -le "$hi" ] ||
  fail "after 'remap easy1' ($range) easy-b still sends to easy-a's port ${port:-?}"
echo "playground-check: ok (every pair ok; after remap easy1 easy-b sends to 198.51.100.11:$port, in $range)"
