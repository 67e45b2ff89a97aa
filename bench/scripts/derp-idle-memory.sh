#!/usr/bin/env bash
# DERP relay benchmarks (derp module):
#   1. memory per idle DERP connection: a relay in its own JVM, N idle clients (default 10 000) from another JVM;
#      prints the relay's heap-after-GC and RSS growth divided by N, for plain TCP and for TLS 1.3;
#   2. packets/s from one client to another through one relay on loopback, next to an anchor measured in the same
#      run (the same frames over one direct socket), for plain TCP and TLS.
# Usage: bench/scripts/derp-idle-memory.sh [connections] [throughput-seconds] [packet-size]
# Numbers measured on a shared 2-core machine are noisy: compare ratios, not absolutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
SECONDS_EACH=${2:-5}
SIZE=${3:-1200}

. bin/lib/jdk.sh
nexodus_find_jdk

echo "building the derp module and its test classes..." >&2
CPFILE="$PWD/derp/target/bench.classpath"
./mvnw -B -q -pl derp -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$CPFILE" -Dmdep.includeScope=test >&2
CP="$PWD/derp/target/classes:$PWD/derp/target/test-classes:$(cat "$CPFILE")"

# Each side needs a file descriptor per connection (plus the JVM's own).
need=$((N + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "error: need 'ulimit -n $need' for $N connections" >&2; exit 1; }
fi

run() { "$JAVA_HOME/bin/java" -Xmx2g -Dderp.log.level=WARN -cp "$CP" io.nexodus.derp.bench.DerpBench "$@"; }

run idle-memory "$N" plain
run idle-memory "$N" tls
run throughput "$SECONDS_EACH" "$SIZE" plain
run throughput "$SECONDS_EACH" "$SIZE" tls
