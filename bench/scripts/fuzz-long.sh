#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of every parser of untrusted input, each target for longer than the few seconds
# `./mvnw verify` gives it. Prints executions, the corpus size reached and findings per target. A finding is saved by
# Jazzer as a crash-<sha1> file under <module>/src/test/resources/.../<Test>Inputs/<method>/ (replayed by every later
# unit test run, so fix the parser, or commit it as a regression input once fixed); the corpus grown on the way is
# kept in <module>/.cifuzz-corpus/ (not committed) and reused by the next run.
#
# usage: bench/scripts/fuzz-long.sh [seconds-per-target] [target-filter]
#   Default 60 s per target. target-filter (a grep pattern, e.g. 'stun|derp') runs only the matching targets.
#   Each target runs in its own JVM (Jazzer fuzzes one test per JVM). Run it under the shared lock on a busy machine:
#   flock /tmp/nexodus-heavy.lock bench/scripts/fuzz-long.sh 60
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
seconds=${1:-60}
filter=${2:-.}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "seconds-per-target must be a number: $seconds" >&2; exit 2; }

# module  test-class#method  [packages to instrument for coverage, when more than the module's own]
targets=(
  "packetfilter FilterFuzzTest#decideOnArbitraryPackets"
  "packetfilter FilterFuzzTest#parseArbitraryRules"
  "netstack NetStackFuzzTest#inputArbitraryPackets"
  "stun StunDecodeFuzzTest#decodeArbitraryDatagrams"
  "derp FrameFuzzTest#readArbitraryFrameStreams"
  "derp FrameFuzzTest#parseArbitraryInfoJson"
  "derp HttpRequestParserFuzzTest#parseArbitraryRequestHeads"
  "wireguard DatagramFuzzTest#receiveArbitraryDatagrams"
  "wireguard UapiFuzzTest#parseArbitrarySetRequests"
  "api WatchDecodeFuzzTest#decodeArbitraryWatchStreams"
  "api ControlSocketFuzzTest#serveArbitraryControlStreams com.fasterxml.jackson.**,io.nexodus.**"
  "server RequestBodyFuzzTest#decodeArbitraryRequestBodies com.fasterxml.jackson.**,io.nexodus.**"
)
selected=()
for t in "${targets[@]}"; do
  if grep -Eq -- "$filter" <<<"$t"; then selected+=("$t"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "no target matches $filter" >&2; exit 2; }
modules=$(printf '%s\n' "${selected[@]}" | cut -d' ' -f1 | sort -u | paste -sd, -)

work=$(mktemp -d /tmp/fuzz-long.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building $modules (and what they depend on)..." >&2
./mvnw -B -o -q -pl "$modules" -am install -DskipTests -DskipITs >&2

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), ${seconds} s per target"
printf '%-55s %12s %10s %8s %s\n' target executions exec/s corpus findings
failed=0
for t in "${selected[@]}"; do
  read -r module test instrument <<<"$t"
  log="$work/${test//#/.}.log"
  status=0
  extra_env=()
  [ -n "${instrument:-}" ] && extra_env=("JAZZER_INSTRUMENT=$instrument")
  env "${extra_env[@]}" JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" ./mvnw -B -o -pl "$module" surefire:test \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 || status=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$log" | tail -1)
  rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")
  corpus=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$done_line")
  findings=$(grep -c 'FuzzTestFinding' "$log" || true)
  if [ "$status" -ne 0 ] && [ "$findings" -eq 0 ]; then findings="build failed (see below)"; fi
  printf '%-55s %12s %10s %8s %s\n' "$module $test" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "$findings"
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E 'FuzzTestFinding|Caused by|^\s+at io\.nexodus|ERROR\]' "$log" | head -20 | sed 's/^/    /'
    find "$module/src/test/resources" -name 'crash-*' -newer "$work" 2>/dev/null | sed 's/^/    saved: /'
  fi
done
exit $failed
