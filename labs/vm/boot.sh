#!/usr/bin/env bash
# Boots a fresh copy of the VM lab node (qemu -snapshot: nothing it does survives) reachable only through loopback
# port forwards, and returns once SSH answers. A boot that does not come up is torn down, never left behind.
#   boot.sh --state DIR [--kernel-args "apparmor=0 ..."] [--timeout SECONDS]
# prints one JSON line: {"pid","stateDir","image","sshPort","securePort","readOnlyPort","identityFile",
#                        "knownHostsFile","bootSeconds"}; stop it with stop.sh --state DIR.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE= EXTRA_ARGS= TIMEOUT=${NODEGATE_VM_BOOT_TIMEOUT:-120}
while [ $# -gt 0 ]; do
  case $1 in
    --state) STATE=$2; shift 2 ;;
    --kernel-args) EXTRA_ARGS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    *) echo "usage: boot.sh --state DIR [--kernel-args ARGS] [--timeout SECONDS]" >&2; exit 2 ;;
  esac
done
[ -n "$STATE" ] || { echo "boot.sh: --state DIR is required" >&2; exit 2; }
die() { echo "boot.sh: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || die "missing qemu-system-x86_64 (apt-get install -y qemu-system-x86)"

IMG=$("$HERE/build-image.sh")
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
PIDFILE=$STATE/qemu.pid
rm -f "$PIDFILE" "$STATE/console.log"

teardown() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}
ok=
trap '[ -n "$ok" ] || teardown' EXIT
trap 'exit 130' INT TERM

free_port() { # a loopback port nobody listens on now; qemu's bind is the final word (retried below)
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return; }
  done
}

# TCG by default: on these machines /dev/kvm exists but qemu aborts on it (MSR 0x10a). NODEGATE_VM_ACCEL=kvm opts in.
ACCEL="-accel tcg,thread=multi -cpu max"
[ "${NODEGATE_VM_ACCEL:-tcg}" = kvm ] && ACCEL="-accel kvm -cpu host"
APPEND="root=/dev/vda rw console=ttyS0 apparmor=1 security=apparmor${EXTRA_ARGS:+ $EXTRA_ARGS}"
start=$(date +%s.%N)
for attempt in 1 2 3 4 5; do
  SSH_PORT=$(free_port) SECURE_PORT=$(free_port) RO_PORT=$(free_port)
  fwd="hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$SECURE_PORT-:10250,hostfwd=tcp:127.0.0.1:$RO_PORT-:10255"
  # shellcheck disable=SC2086
  if qemu-system-x86_64 $ACCEL -m "${NODEGATE_VM_MEMORY:-2048}" -smp "${NODEGATE_VM_CPUS:-2}" \
      -kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" -append "$APPEND" \
      -drive "file=$IMG/node.img,format=raw,if=virtio,cache=unsafe" -snapshot \
      -netdev "user,id=n0,restrict=on,$fwd" -device virtio-net-pci,netdev=n0 \
      -display none -serial "file:$STATE/console.log" -daemonize -pidfile "$PIDFILE" 2>"$STATE/qemu.err"; then
    break
  fi
  grep -q 'host forwarding' "$STATE/qemu.err" && [ "$attempt" -lt 5 ] || die "qemu failed: $(cat "$STATE/qemu.err")"
done
PID=$(cat "$PIDFILE")

printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$IMG/ssh_host_ed25519_key.pub")" >"$STATE/known_hosts"
SSH=(ssh -F none -i "$IMG/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5
  -o UserKnownHostsFile="$STATE/known_hosts" -o StrictHostKeyChecking=yes -o LogLevel=ERROR -p "$SSH_PORT" root@127.0.0.1)
deadline=$(( $(date +%s) + TIMEOUT ))
until "${SSH[@]}" true 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || die "qemu exited during boot; console:$(echo; tail -20 "$STATE/console.log")"
  [ "$(date +%s)" -lt "$deadline" ] ||
    die "no SSH after ${TIMEOUT}s; last console lines:$(echo; tail -20 "$STATE/console.log")"
  sleep 1
done
boot=$(echo "$(date +%s.%N) - $start" | awk '{printf "%.1f", $1 - $3}')
cat >"$STATE/vm.env" <<EOF
PID=$PID
SSH_PORT=$SSH_PORT
IDENTITY=$IMG/id_ed25519
KNOWN_HOSTS=$STATE/known_hosts
EOF
ok=1
printf '{"pid":%s,"stateDir":"%s","image":"%s","sshPort":%s,"securePort":%s,"readOnlyPort":%s,"identityFile":"%s","knownHostsFile":"%s","bootSeconds":%s}\n' \
  "$PID" "$STATE" "$IMG" "$SSH_PORT" "$SECURE_PORT" "$RO_PORT" "$IMG/id_ed25519" "$STATE/known_hosts" "$boot"
