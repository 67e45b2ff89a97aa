#!/usr/bin/env bash
# Security-group filter: JMH benchmark of the per-packet decision (FilterDecisionBench) with ratios against the
# anchor measured in the same run: sealing a 1420-byte packet with ChaCha20-Poly1305, which the device pays for every
# packet anyway. Prints ns/op (± JMH's 99.9% error) and the filter's cost as a share of the anchor.
#
# usage: bench/scripts/packetfilter-jmh.sh [JMH options, e.g. -f 3 -wi 5 -i 10]
#   Defaults (from the class): 2 forks x (3 warm-up + 5 measured) 1-second iterations per benchmark (~2 min).
#   Run it under the shared lock on a busy machine: flock /tmp/nexodus-heavy.lock bench/scripts/packetfilter-jmh.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

. bin/lib/jdk.sh
nexodus_find_jdk
work=$(mktemp -d /tmp/pf-jmh.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building the bench module and its dependencies..." >&2
./mvnw -B -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=runtime >&2
cp="bench/target/classes:$(cat "$work/cp.txt")"
cat > "$work/logback.xml" <<'XML'
<configuration><root level="WARN"/></configuration>
XML
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)" | tee /dev/stderr
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main FilterDecisionBench \
  -jvmArgsAppend "-Dlogback.configurationFile=$work/logback.xml" \
  -rf csv -rff "$work/result.csv" "$@" >&2

# Ratios against the anchor (scores are ns/op)
awk -F, 'NR > 1 {
  gsub(/"/, "", $1); n = split($1, parts, "."); name = parts[n]
  score[name] = $5; err[name] = $6; order[++k] = name
}
END {
  a = score["anchorSeal1420"]
  printf "%-22s %12s %10s %14s\n", "benchmark", "ns/op", "+-", "vs seal 1420 B"
  for (i = 1; i <= k; i++) {
    nm = order[i]
    printf "%-22s %12.1f %10.1f %13.1f%%\n", nm, score[nm], err[nm], 100 * score[nm] / a
  }
}' "$work/result.csv"
