# shellcheck shell=bash
# Shared by bin/*: find JDK 25, make sure the distribution is built and current, then exec a main class.
# The distribution is dist/target/nexodus/lib (every runtime jar). It is (re)built with ./mvnw when it is missing or
# when a source file or pom is newer than it, so a fresh clone needs no extra step.
set -euo pipefail

NEXODUS_HOME=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -x "$NEXODUS_HOME/runtime/bin/java" ] && [ -d "$NEXODUS_HOME/lib" ]; then
  # An installed package (/usr/lib/<package>, built by packaging/build-deb.sh): its own Java runtime (jlink) and its
  # jars, nothing to build. Start-up caches (bin/nexd, bin/nexctl) go to /var/cache/<package>, writable by root only;
  # the package's postinst empties it, because the jars of an upgrade may be older than the caches.
  NEXODUS_PACKAGED=1
  JAVA_HOME="$NEXODUS_HOME/runtime"
  NEXODUS_LIB="$NEXODUS_HOME/lib"
  NEXODUS_CACHE_DIR="/var/cache/${NEXODUS_HOME##*/}"
  NEXODUS_SKIP_BUILD=1
else
  NEXODUS_PACKAGED=
  . "$NEXODUS_HOME/bin/lib/jdk.sh"
  nexodus_find_jdk || exit 1
  NEXODUS_LIB="$NEXODUS_HOME/dist/target/nexodus/lib"
  NEXODUS_CACHE_DIR="$NEXODUS_HOME/dist/target/nexodus"
fi
NEXODUS_STAMP="$NEXODUS_HOME/dist/target/nexodus/.built"

nexodus_dist_is_stale() {
  [ -f "$NEXODUS_STAMP" ] || return 0
  [ -f "$NEXODUS_HOME/pom.xml" ] || return 1 # an unpacked distribution without sources: nothing to compare
  local newer
  newer=$(find "$NEXODUS_HOME" -maxdepth 1 -name pom.xml -newer "$NEXODUS_STAMP" -print -quit)
  [ -z "$newer" ] || return 0
  newer=$(find "$NEXODUS_HOME"/*/pom.xml "$NEXODUS_HOME"/*/src/main -newer "$NEXODUS_STAMP" -print -quit 2>/dev/null)
  [ -n "$newer" ]
}

nexodus_ensure_dist() {
  [ "${NEXODUS_SKIP_BUILD:-}" = 1 ] && return 0
  # Once per launcher: the staleness check walks every source tree (~50 ms), and a CLI call should not pay it twice.
  [ "${nexodus_dist_checked:-}" = 1 ] && return 0
  nexodus_dist_checked=1
  nexodus_dist_is_stale || return 0
  mkdir -p "$NEXODUS_HOME/dist/target"
  # One build at a time, even when several launchers start together.
  exec 9>"$NEXODUS_HOME/dist/target/.build.lock"
  flock 9
  if nexodus_dist_is_stale; then
    echo "nexodus: building the distribution with ./mvnw (first run or sources changed; takes a minute)..." >&2
    local log="$NEXODUS_HOME/dist/target/build.log"
    if ! (cd "$NEXODUS_HOME" && ./mvnw -B -q -Dmaven.test.skip=true package -pl dist -am) >"$log" 2>&1; then
      echo "nexodus: build failed; see $log" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    touch "$NEXODUS_STAMP"
  fi
  exec 9>&-
}

# nexodus_exec MAIN_CLASS [ARGS...]: runs a main class from the distribution. JAVA_OPTS adds JVM options.
nexodus_exec() {
  local main=$1
  shift
  nexodus_ensure_dist
  # nexodus.home: the service's banner names bin/nexctl of a checkout; an installed package has nexctl on the PATH.
  local home=(-Dnexodus.home="$NEXODUS_HOME")
  [ -z "$NEXODUS_PACKAGED" ] || home=()
  # shellcheck disable=SC2086
  exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED \
    "${home[@]}" -cp "$NEXODUS_LIB/*" "$main" "$@"
}
