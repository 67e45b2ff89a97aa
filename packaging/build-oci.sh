#!/usr/bin/env bash
# Builds an OCI image of the Nexodus service from the nexodus package, without a container engine or a base image:
# one layer holding the package's Java runtime and jars, the C library they link against (copied from this host:
# Debian 12's glibc), /etc/passwd with the unprivileged user 65532, /tmp and the data volume /var/lib/nexodus.
# No shell: the entrypoint is the runtime's java. The output is an OCI image layout (a directory), e.g.
#   skopeo copy oci:packaging/nexodus/target/oci:VERSION docker-daemon:nexodus:VERSION
#   podman run -p 8080:8080 oci:packaging/nexodus/target/oci:VERSION
#
# Usage: build-oci.sh VERSION DIR
#   DIR holds nexodus_<version>_amd64.deb (build-deb.sh) and gets oci/, the image layout (the root file system is
#   staged in DIR/oci-rootfs and removed)
# Run by `./mvnw package` in packaging/nexodus after build-deb.sh (docs/deployment.md, "OCI image").
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 VERSION DIR" >&2
  exit 2
fi
version=$1
out=$(cd -- "$2" && pwd)
deb=$out/nexodus_${version//-/\~}_amd64.deb
rootfs=$out/oci-rootfs
layout=$out/oci
umask 022
rm -rf -- "$rootfs" "$layout"
mkdir -p -- "$rootfs" "$layout/blobs/sha256"

dpkg-deb -x "$deb" "$rootfs"
# Only the runtime and the jars: the launchers are shell scripts and the units are systemd's.
rm -rf -- "$rootfs/etc/default" "$rootfs/usr/lib/systemd" "$rootfs/usr/bin" "$rootfs/usr/lib/nexodus/bin"

# The shared libraries the runtime links against, at the paths it finds them at here (the C library and loader).
runtime=$rootfs/usr/lib/nexodus/runtime
libs=$(find "$runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null |
  sed -n 's/^[[:space:]]*[^ ]* => \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | grep -v "^$runtime" | sort -u)
for lib in $libs; do
  mkdir -p -- "$rootfs$(dirname -- "$lib")"
  cp -L -- "$lib" "$rootfs$lib"
done

mkdir -p -- "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/var/lib/nexodus"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/var/lib/nexodus"
printf 'root:x:0:0:root:/root:/nonexistent\nnexodus:x:65532:65532:Nexodus service:/var/lib/nexodus:/nonexistent\n' \
  >"$rootfs/etc/passwd"
printf 'root:x:0:\nnexodus:x:65532:\n' >"$rootfs/etc/group"
chmod -R u+rwX,go+rX,go-w -- "$rootfs"
chmod 0700 "$rootfs/var/lib/nexodus"
chmod 1777 "$rootfs/tmp"

# One layer, reproducible (sorted, fixed times and owners); the data directory belongs to the service's user.
epoch=${SOURCE_DATE_EPOCH:-0}
tar_opts=(--sort=name --mtime="@$epoch" --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
tar "${tar_opts[@]}" --owner=0 --group=0 --exclude=./var/lib/nexodus -C "$rootfs" -cf "$out/layer.tar" .
tar "${tar_opts[@]}" --owner=65532 --group=65532 -C "$rootfs" -rf "$out/layer.tar" ./var/lib/nexodus
rm -rf -- "$rootfs"
diff_id=$(sha256sum "$out/layer.tar" | cut -d' ' -f1)
gzip -1 -n -f "$out/layer.tar"

blob() { # moves or writes file $1 into the layout, prints "<digest> <size>"
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1)
  s=$(stat -c %s "$1")
  mv -f -- "$1" "$layout/blobs/sha256/$d"
  echo "$d $s"
}
read -r layer_digest layer_size < <(blob "$out/layer.tar.gz")

created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
cat >"$out/config.json" <<EOF
{"created":"$created","architecture":"amd64","os":"linux",
"config":{"User":"65532:65532","WorkingDir":"/var/lib/nexodus",
"Env":["PATH=/usr/lib/nexodus/runtime/bin","NEXAPI_DATA_DIR=/var/lib/nexodus","NEXAPI_LISTEN=0.0.0.0:8080"],
"Entrypoint":["/usr/lib/nexodus/runtime/bin/java","--enable-native-access=ALL-UNNAMED","-cp","/usr/lib/nexodus/lib/*","io.nexodus.server.Main"],
"Cmd":["serve"],
"ExposedPorts":{"8080/tcp":{},"8443/tcp":{},"8444/tcp":{},"3478/udp":{},"3479/udp":{}},
"Volumes":{"/var/lib/nexodus":{}},
"Labels":{"org.opencontainers.image.title":"nexodus","org.opencontainers.image.version":"$version"}},
"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
"history":[{"created":"$created","created_by":"packaging/build-oci.sh"}]}
EOF
read -r config_digest config_size < <(blob "$out/config.json")

cat >"$out/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},
"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$layer_size}]}
EOF
read -r manifest_digest manifest_size < <(blob "$out/manifest.json")

echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
cat >"$layout/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,
"annotations":{"org.opencontainers.image.ref.name":"$version"}}]}
EOF
echo "$layout"
