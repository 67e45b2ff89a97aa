#!/usr/bin/env bash
# Control-plane benchmark: starts the Nexodus service as its own JVM, registers N devices into one VPC,
# holds W watch streams open as those devices' agents do, and times the fan-out of a change to every watcher.
# Every number is printed with a ratio against an anchor measured in the same run (registrations vs a no-op GET,
# W watchers vs one, the service's heap and RSS vs the idle service).
#
# usage: bench/scripts/control-plane.sh [--devices N] [--watchers W] [--db h2|postgres] [--changes K]
#                                       [--concurrency C] [--open-parallel P] [--service-jvm 'OPTS'] [--keep] [--heap-detail]
#   Defaults: 1000 devices, W = N, H2, 10 changes, 32 registrations in flight, all streams connecting at once.
#   The service JVM runs with '-Xmx1g -XX:+UseG1GC' (change with --service-jvm), the load generator with
#   LOADGEN_JVM (default '-Xmx3g -XX:+UseG1GC'); both on this machine, so they share its CPUs.
#   --db postgres starts a throw-away PostgreSQL 15 from /usr/lib/postgresql/15/bin (testkit.Postgres).
#   Raises the open-file limit (needs W + a few hundred descriptors per process; root can raise the hard limit).
#   Full option list: bench/scripts/control-plane.sh --help-all
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
  -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --help-all) set -- --help ;;
esac

want=65536
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want" ]; then ulimit -Hn "$want" 2>/dev/null || true; fi
hard=$(ulimit -Hn); [ "$hard" = unlimited ] && hard=$want
ulimit -Sn "$(( hard < want ? hard : want ))"

. bin/lib/jdk.sh
nexodus_find_jdk
work=$(mktemp -d /tmp/cp-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building the bench module and its dependencies..." >&2
./mvnw -B -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=runtime >&2
cp="bench/target/classes:$(cat "$work/cp.txt")"
echo "open-file limit: $(ulimit -Sn)" >&2
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${LOADGEN_JVM:--Xmx3g -XX:+UseG1GC} --add-modules jdk.incubator.vector -cp "$cp" io.nexodus.bench.controlplane.ControlPlaneBench "$@"
