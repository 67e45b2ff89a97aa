# shellcheck shell=sh
# Finds a JDK 25 (or newer) for our launchers and for ./mvnw, because the machine's default `java` may be older.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*25*, then any /usr/lib/jvm/* that is 25+.
# On success exports JAVA_HOME; on failure prints what to do and returns 1.

nexodus_java_feature() { # prints the feature version (e.g. 25) of the java binary $1, or nothing
  # The JDK's `release` file says it without starting a JVM (which costs a CLI like nexctl ~40-500 ms per call).
  nexodus_release="${1%/bin/java}/release"
  if [ -r "$nexodus_release" ]; then
    nexodus_v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$nexodus_release" | head -n 1)
    if [ -n "$nexodus_v" ]; then echo "$nexodus_v"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

nexodus_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(nexodus_java_feature "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME; return 0; fi
  fi
  case $- in *f*) nexodus_noglob=1; set +f ;; *) nexodus_noglob= ;; esac # mvnw runs with `set -f`
  nexodus_candidates=$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/* 2>/dev/null)
  [ -z "$nexodus_noglob" ] || set -f
  for d in $nexodus_candidates; do
    [ -x "$d/bin/javac" ] || continue
    v=$(nexodus_java_feature "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA_HOME=$d; export JAVA_HOME; return 0; fi
  done
  echo "error: JDK 25 not found. Set JAVA_HOME to a JDK 25 (or newer), or install one under /usr/lib/jvm" >&2
  echo "       (e.g. Temurin 25: /usr/lib/jvm/temurin-25-jdk-amd64)." >&2
  return 1
}
