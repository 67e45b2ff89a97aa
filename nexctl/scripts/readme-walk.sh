#!/usr/bin/env bash
# The README's service walkthrough as a new user does it, on a fresh clone: `bin/nexodus serve` (which builds the
# distribution), then the "Try it" block typed one command a second in a second shell, then Ctrl-C.
# HOME is a new empty directory (only ~/.m2 is shared, so Maven does not download again), so the README's defaults
# (~/.local/share/nexodus, ~/.config/nexodus, port 8080, STUN 3478/3479) touch nothing of yours; those ports must be free.
# Prints what the user would see and exits non-zero if the device did not arrive on the watch.
#   nexctl/scripts/readme-walk.sh [REPO]        (default: the repository this script is in; commit first)
set -u
set -m # job control: the service is a job that SIGINT reaches, as Ctrl-C does in a terminal
unset XDG_DATA_HOME XDG_CONFIG_HOME NEXCTL_SERVICE_URL NEXAPI_LISTEN NEXAPI_DATA_DIR
REPO=${1:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
REAL_M2=${HOME}/.m2
W=$(mktemp -d /tmp/nexodus-readme-walk.XXXXXX)
SERVE=
cleanup() {
  [ -z "$SERVE" ] || kill -TERM "$SERVE" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

for port in 8080/tcp 3478/udp 3479/udp; do
  proto=${port#*/}
  if ss -Hln"${proto:0:1}" 2>/dev/null | awk '{print $4}' | grep -q ":${port%/*}\$"; then
    echo "port ${port} is in use; the README's defaults need it" >&2
    exit 2
  fi
done

git clone -q "$REPO" "$W/clone" || exit 1
mkdir -p "$W/home"
[ -d "$REAL_M2" ] && ln -s "$REAL_M2" "$W/home/.m2"
export HOME=$W/home
cd "$W/clone" || exit 1

# the README's code block after "**Try it**", one command a second (as typed), plus a few checks of our own
python3 - README.md >"$W/typed.sh" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('**Try it**'); i = s.index('```sh\n', i) + 6; j = s.index('```', i)
out = ["set -m"]  # so `kill %1` names the watch, as in a terminal
for line in s[i:j].splitlines():
    out.append(line)
    t = line.strip()
    if t and not t.startswith("#") and not t.endswith("\\"):
        out.append("sleep 1")
out += ["echo '--- checks (not in the README) ---'",
        "curl -s -w ' HTTP %{http_code}\\n' -H \"Authorization: Bearer $RK\" $URL/api/devices "
        "-d '{\"vpc_id\":\"'$VPC'\",\"public_key\":\"'$(head -c32 /dev/urandom | base64)'\",\"hostname\":\"again\"}'",
        "echo \"devices in the VPC: $(bin/nexctl device list --vpc-id $VPC -o no-header | wc -l)\"",
        "git status --porcelain --ignored | grep -q 'device.key' && echo 'device.key left in the working tree' || echo 'no key in the working tree'"]
print("\n".join(out))
PY

t0=$(date +%s.%N)
bin/nexodus serve >"$W/serve.out" 2>"$W/serve.err" &
SERVE=$!
for _ in $(seq 1 1200); do
  grep -q "is serving" "$W/serve.out" 2>/dev/null && break
  kill -0 "$SERVE" 2>/dev/null || break
  sleep 0.5
done
echo "== terminal 1: bin/nexodus serve (banner after $(python3 -c "import time; print(round(time.time()-$t0))") s) =="
cat "$W/serve.err" "$W/serve.out"
grep -q "is serving" "$W/serve.out" || { echo "the service did not start" >&2; exit 1; }

echo "== terminal 2: the README's commands =="
t1=$(date +%s.%N)
bash "$W/typed.sh" >"$W/typed.out" 2>"$W/typed.err"
rc=$?
cat "$W/typed.out"
echo "-- stderr --"
cat "$W/typed.err"
echo "(exit $rc after $(python3 -c "import time; print(round(time.time()-$t1))") s)"

echo "== Ctrl-C =="
kill -INT "$SERVE"
t2=$(date +%s.%N)
for _ in $(seq 1 40); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$SERVE" 2>/dev/null; then echo "still running 10 s after SIGINT" >&2; exit 1; fi
wait "$SERVE"
echo "service exit $? after $(python3 -c "import time; print(round(time.time()-$t2, 1))") s"
SERVE=
tail -n 2 "$W/serve.err"
ls -la "$HOME/.local/share/nexodus"

fail=0
grep -q '"type":"tail"' "$W/typed.out" || { echo "FAIL: no tail on the watch" >&2; fail=1; }
grep -q '"type":"change".*"hostname":"demo"' "$W/typed.out" || { echo "FAIL: the device did not arrive on the watch" >&2; fail=1; }
grep -q 'single use reg key exhausted' "$W/typed.out" || { echo "FAIL: the single-use key registered twice" >&2; fail=1; }
grep -q 'no key in the working tree' "$W/typed.out" || { echo "FAIL: the walkthrough left a private key in the tree" >&2; fail=1; }
grep -q '"bearer_token":"djE=:' "$W/typed.out" || { echo "FAIL: the sealed device token does not start as the README says" >&2; fail=1; }
grep -q 'devices in the VPC: 1$' "$W/typed.out" || { echo "FAIL: not exactly one device" >&2; fail=1; }
[ ! -e "$HOME/.local/share/nexodus/nexodus.trace.db" ] || { echo "FAIL: H2 traced an error" >&2; fail=1; }
[ "$rc" = 0 ] || fail=1
[ "$fail" = 0 ] && echo "README walk: OK"
exit "$fail"
