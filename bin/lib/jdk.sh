# shellcheck shell=sh
# Finds a JDK 25 (or newer) for our launchers and for ./mvnw, because the machine's default `java` may be older.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*25*, then any /usr/lib/jvm/* that is 25+.
# On success exports JAVA_HOME; on failure prints what to do and returns 1.
# NEXODUS_JVM_DIR replaces /usr/lib/jvm (for tests of this file: a fake directory of JDKs).

nexodus_java_feature() { # prints the feature version (e.g. 25) of the java binary $1, or nothing
  # The JDK's `release` file says it without starting a JVM (which costs a CLI like nexctl ~40-500 ms per call).
  # Read without forking (a CLI call pays for every process the launcher starts).
  nexodus_release="${1%/bin/java}/release"
  if [ -r "$nexodus_release" ]; then
    nexodus_v=
    while IFS= read -r nexodus_line || [ -n "$nexodus_line" ]; do
      case $nexodus_line in
        JAVA_VERSION=\"[0-9]*)
          nexodus_v=${nexodus_line#JAVA_VERSION=\"}
          nexodus_v=${nexodus_v%%[!0-9]*}
          break ;;
      esac
    done <"$nexodus_release"
    if [ -n "$nexodus_v" ]; then echo "$nexodus_v"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

nexodus_find_jdk() {
  nexodus_jvm_dir=${NEXODUS_JVM_DIR:-/usr/lib/jvm}
  nexodus_java_home_note=
  if [ -n "${JAVA_HOME-}" ]; then
    if [ -x "$JAVA_HOME/bin/javac" ]; then
      v=$(nexodus_java_feature "$JAVA_HOME/bin/java")
      if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME; return 0; fi
      nexodus_java_home_note="JAVA_HOME=$JAVA_HOME is Java ${v:-of unknown version}, not 25 or newer"
    else
      nexodus_java_home_note="JAVA_HOME=$JAVA_HOME is not a JDK (no bin/javac)"
    fi
  fi
  case $- in *f*) nexodus_noglob=1; set +f ;; *) nexodus_noglob= ;; esac # mvnw runs with `set -f`
  # globs keep their order (ls would sort the two lists into one and try every older JDK first)
  for d in "$nexodus_jvm_dir"/*25* "$nexodus_jvm_dir"/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(nexodus_java_feature "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      [ -z "$nexodus_noglob" ] || set -f
      JAVA_HOME=$d
      export JAVA_HOME
      return 0
    fi
  done
  [ -z "$nexodus_noglob" ] || set -f
  echo "error: JDK 25 not found. Set JAVA_HOME to a JDK 25 (or newer), or install one under $nexodus_jvm_dir" >&2
  echo "       (e.g. Temurin 25: /usr/lib/jvm/temurin-25-jdk-amd64)." >&2
  [ -z "$nexodus_java_home_note" ] || echo "       ($nexodus_java_home_note; nothing suitable in $nexodus_jvm_dir either.)" >&2
  return 1
}
