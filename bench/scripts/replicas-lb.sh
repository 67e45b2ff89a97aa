#!/usr/bin/env bash
# Replicas behind a load balancer, under faults: a throw-away PostgreSQL, three service replicas as separate
# processes sharing one --url, and Debian's nginx in front (TLS with a CA made by the run, passive health checks,
# proxy_next_upstream, unbuffered watch streams). Clients use only the balancer's URL. It measures and checks:
#   - registrations spread over the replicas get unique addresses; a watch on one replica sees changes made through
#     the others (p50/max from the PATCH to the event);
#   - kill -9 of one replica during N concurrent registrations with W open watch streams: no committed device lost,
#     no address twice, every client a success or a retryable error its retry (nexd's) turned into a success, every
#     watch reconnected and resumed by revision to exactly the database's state;
#   - a rolling restart (SIGTERM, start, wait for /private/ready, next) while a client keeps operating: 0 failures.
#   - the replicas' public DERP relays mesh (--derp-mesh-key): one region listing every replica's node; clients on
#     different replicas exchange packets (not across VPCs); kill -9 of a client's replica: it moves to another node
#     while a packet stream to it continues (the longest gap without delivery).
# It is server's LoadBalancedReplicasIT (which CI runs with 60 registrations and 30 watches) at full size.
#
# usage: bench/scripts/replicas-lb.sh [--registrations N] [--watches W] [--changes K] [--keep]
#   Defaults: 200 registrations, 100 watch streams, 30 changes for the propagation bound.
#   --keep leaves the run's directory (/tmp/nexodus-lb-*: logs of every replica, nginx.conf, access.log).
#   Needs postgresql (15) and nginx (apt-get install postgresql nginx). Extra Maven options: MAVEN_ARGS, e.g.
#   MAVEN_ARGS='-o -Dmaven.repo.local=/path/to/repo'.
set -euo pipefail
cd "$(dirname "$0")/../.."

registrations=200 watches=100 changes=30 keep=()
while [ $# -gt 0 ]; do
  case "$1" in
    --registrations) registrations=$2; shift 2 ;;
    --watches) watches=$2; shift 2 ;;
    --changes) changes=$2; shift 2 ;;
    --keep) keep=(-Dnexodus.lb.keep=true); shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
for c in nginx /usr/lib/postgresql/15/bin/initdb; do
  command -v "$c" >/dev/null || { echo "missing $c: apt-get install postgresql nginx" >&2; exit 1; }
done

log=$(mktemp /tmp/replicas-lb.XXXXXX.log)
echo "building the server module and what it needs (no tests)..." >&2
./mvnw -B -q -pl server -am install -DskipTests -DskipITs -Dcheckstyle.skip -Dspotless.check.skip=true >&2
echo "$(date -u '+%F %T UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" | tee "$log"
echo "running LoadBalancedReplicasIT with $registrations registrations, $watches watch streams (log: $log)..." >&2
status=0
./mvnw -B -pl server failsafe:integration-test failsafe:verify -Dit.test=LoadBalancedReplicasIT \
  -Dnexodus.lb.registrations="$registrations" -Dnexodus.lb.watches="$watches" -Dnexodus.lb.changes="$changes" \
  "${keep[@]}" >>"$log" 2>&1 || status=$?
grep -h '^replicas-lb:' "$log" | sed 's/^replicas-lb: //'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$status" -ne 0 ]; then
  grep -E 'Tests run:|FAIL|expected|Expecting' "$log" | head -20 >&2
  echo "FAILED (exit $status); full log: $log" >&2
fi
exit "$status"
