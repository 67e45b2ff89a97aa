#!/usr/bin/env bash
# Builds one Debian package of Nexodus for Java, with its own Java runtime, so the target needs no JDK:
#   nexodus        the service (`nexodus serve`) and nexodus.service
#   nexodus-agent  nexd, nexctl, nexodus-wg and nexd.service, nexd-relay.service, nexd-relayderp.service
#
# Usage: build-deb.sh PACKAGE VERSION JAR_DIR OUT_DIR
#   JAR_DIR  the package's runtime jars (Maven copies them: packaging/<package>/target/jars)
#   OUT_DIR  gets <package>_<version>_<arch>.deb (staged in OUT_DIR/stage/<package>, removed afterwards)
# Run by `./mvnw package` in packaging/nexodus and packaging/nexodus-agent (docs/deployment.md, "Packages"); JAVA_HOME
# (else bin/lib/jdk.sh's search) is the JDK 25 whose jlink makes the runtime.
#
# Layout of a package: /usr/lib/<package>/{runtime,lib,bin} (runtime: jlink'd JDK modules; lib: the jars; bin: the
# launchers of the source tree, which see runtime/ and run in "installed" mode, bin/lib/launch.sh), /usr/bin/<cmd>
# (two lines: exec the launcher), systemd units in /usr/lib/systemd/system, their options in /etc/default/<unit>
# (conffiles). Maintainer scripts (packaging/debian/<package>/) stay small, honour $DPKG_ROOT and start nothing:
# a service needs its options first.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 PACKAGE VERSION JAR_DIR OUT_DIR" >&2
  exit 2
fi
package=$1
version=$2
jars=$(cd -- "$3" && pwd)
out=$(mkdir -p -- "$4" && cd -- "$4" && pwd)
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname -- "$here")

. "$repo/bin/lib/jdk.sh"
nexodus_find_jdk || exit 1

# The runtime holds the JDK modules the jars refer to (jdeps over all of them, so a class loaded late is covered too),
# plus modules found at run time by name, which jdeps cannot see: JAR file systems (jdk.zipfs) and JNDI's DNS
# provider (jdk.naming.dns); minus java.desktop (AWT, Swing, java.beans: a fifth of the runtime), which only code we
# never run refers to: Jackson's optional java.beans annotations (it checks for them), SnakeYAML's JavaBean mapping
# (Jackson uses its parser only), H2's GUI tools, PostgreSQL's geometric types, Micrometer's Log4j2 metrics.
extra_modules=(jdk.zipfs jdk.naming.dns)
left_out_modules=(java.desktop)
case $package in
  nexodus)
    commands=(nexodus)
    units=(nexodus)
    depends="libc6"
    recommends="nexodus-agent"
    suggests=""
    summary="mesh VPN control plane: the Nexodus service, STUN and a DERP relay"
    description="The Nexodus service: REST API, watch streams, built-in OIDC issuer, IP address
 management, STUN and a public DERP relay, with an embedded H2 database or
 PostgreSQL. Runs as nexodus.service (not started on installation: set its
 options in /etc/default/nexodus first). Carries its own Java runtime."
    ;;
  nexodus-agent)
    commands=(nexd nexctl nexodus-wg)
    units=(nexd nexd-relay nexd-relayderp)
    # ip (addresses, routes, policy routing) and nft (security groups with wireguard-go, relay forwarding, NAT)
    depends="libc6, iproute2, nftables"
    recommends="wireguard-tools"
    suggests="nexodus"
    summary="mesh VPN agent of Nexodus (nexd), its CLI (nexctl) and userspace WireGuard"
    description="nexd joins a host to a VPC of the Nexodus service and keeps WireGuard tunnels
 to every peer: direct, hole-punched through NATs, or relayed (WireGuard relay,
 DERP). nexctl manages the service and the local agent; nexodus-wg is a
 userspace WireGuard that wg and wg-quick drive. Units: nexd.service,
 nexd-relay.service, nexd-relayderp.service (not started on installation: set
 their options in /etc/default first). Carries its own Java runtime."
    ;;
  *)
    echo "$0: unknown package $package (nexodus or nexodus-agent)" >&2
    exit 2
    ;;
esac

# Debian orders 0.1.0~SNAPSHOT before 0.1.0, as Maven orders 0.1.0-SNAPSHOT.
deb_version=${version//-/\~}
arch=$(dpkg --print-architecture)
stage=$out/stage/$package
home=$stage/usr/lib/$package
rm -rf -- "$stage"
mkdir -p -- "$home/lib" "$home/bin/lib" "$stage/usr/bin" "$stage/DEBIAN"

cp -- "$jars"/*.jar "$home/lib/"

# The runtime (modules: above). --list-deps names every module used (not only the roots of the graph), so leaving
# one out does not drop what it would have pulled in. The default CDS archive (the JDK's own classes, mapped at
# start-up) is made for compressed oops only: the other one is for heaps over 32 GB.
modules=$("$JAVA_HOME/bin/jdeps" --list-deps --ignore-missing-deps --multi-release 25 -q "$home"/lib/*.jar |
  sed -n 's/^ *\(java\.[a-z.]*\|jdk\.[a-z.]*\)$/\1/p')
for m in "${left_out_modules[@]}"; do modules=$(grep -vx -- "$m" <<<"$modules"); done
modules=$(printf '%s\n' $modules "${extra_modules[@]}" | sort -u | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --generate-cds-archive --output "$home/runtime" >/dev/null
rm -f -- "$home/runtime/lib/server/classes_nocoops.jsa"

# The launchers of the source tree; they find runtime/ beside them and run in installed mode.
cp -- "$repo/bin/lib/launch.sh" "$home/bin/lib/"
for c in "${commands[@]}"; do
  cp -- "$repo/bin/$c" "$home/bin/$c"
  chmod 0755 "$home/bin/$c"
  printf '#!/bin/sh\nexec /usr/lib/%s/bin/%s "$@"\n' "$package" "$c" >"$stage/usr/bin/$c"
  chmod 0755 "$stage/usr/bin/$c"
done

mkdir -p -- "$stage/usr/lib/systemd/system" "$stage/etc/default"
: >"$stage/DEBIAN/conffiles"
for u in "${units[@]}"; do
  install -m 0644 -- "$here/systemd/$u.service" "$stage/usr/lib/systemd/system/$u.service"
  install -m 0644 -- "$here/default/$u" "$stage/etc/default/$u"
  echo "/etc/default/$u" >>"$stage/DEBIAN/conffiles"
done
if [ "$package" = nexodus-agent ]; then
  mkdir -p -- "$stage/var/cache/$package" # the launchers' start-up caches (bin/nexd, bin/nexctl)
fi
if [ -d "$here/debian/$package" ]; then
  for s in "$here/debian/$package"/*; do install -m 0755 -- "$s" "$stage/DEBIAN/"; done
fi

# Modes as a package wants them, whatever the umask of the build and the modes of the inputs were.
chmod -R u+rwX,go+rX,go-w -- "$stage"
installed_size=$(du -sk --exclude=DEBIAN -- "$stage" | cut -f1)
{
  echo "Package: $package"
  echo "Version: $deb_version"
  echo "Architecture: $arch"
  echo "Maintainer: Nexodus for Java <nexodus-java@localhost>"
  echo "Installed-Size: $installed_size"
  echo "Depends: $depends"
  [ -z "$recommends" ] || echo "Recommends: $recommends"
  [ -z "$suggests" ] || echo "Suggests: $suggests"
  echo "Section: net"
  echo "Priority: optional"
  echo "Description: $summary"
  echo " $description"
} >"$stage/DEBIAN/control"

# gzip -1: a fast build (CI has 2 cores) and readable by every dpkg.
deb=$out/${package}_${deb_version}_${arch}.deb
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$deb" >/dev/null
rm -rf -- "$stage" # ~100 MB; `dpkg-deb --contents` lists what the package holds
rmdir -- "$out/stage" 2>/dev/null || true
echo "$deb"
