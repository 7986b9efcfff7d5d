#!/usr/bin/env bash
# Namespace lab: many simulated worker nodes on one machine, each a network namespace plus private mount/UTS/PID
# namespaces running a real OpenSSH server over that node's own files. Read labs/netns/README.md first.
#
#   lab.sh up   --dir DIR NAME=VARIANT [NAME=VARIANT...]   prints one JSON line per node
#   lab.sh down --dir DIR                                  idempotent
#   lab.sh kernel-config                                   prints the /boot/config every node gets
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FIXTURES=${NODEGATE_LAB_FIXTURES:-$REPO/fixtures/lab}
SHARED=$REPO/fixtures  # holds artifacts/: real files copied in, see fixtures/artifacts/PROVENANCE.md
BRIDGE=ngbr0
NET=10.250.0
LOCK=/run/lock/nodegate-netns-lab.lock
PACKAGES="openssh-server openssh-client sudo iproute2 procps util-linux openssl gzip"
CONTAINERD_ARTIFACT=artifacts/containerd/containerd-1.7.24-debian13-default.toml
SYSCTL_CONF_ARTIFACT=artifacts/host-os/debian12-etc-sysctl.conf
# The lab's extra users: ngaudit has NOPASSWD sudo, ngpw must type a password (ngpw-lab-password).
AUDIT_UID=2901
PW_UID=2902
PW_PASSWORD=ngpw-lab-password
# Where the host's kernel config is read: /proc/config.gz when the kernel exposes it (CONFIG_IKCONFIG_PROC), else
# the distro's copy in /boot (stock Debian and Ubuntu kernels ship no /proc/config.gz). Overridable for the tests.
PROC_KCONFIG=${NODEGATE_LAB_PROC_KCONFIG:-/proc/config.gz}
BOOT_KCONFIG=${NODEGATE_LAB_BOOT_KCONFIG:-/boot/config-$(uname -r)}

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "lab.sh: $*" >&2; }

usage() {
  cat >&2 <<EOF
usage: lab.sh up --dir DIR NAME=VARIANT [NAME=VARIANT...]
       lab.sh down --dir DIR
       lab.sh kernel-config
variants: $(cd "$FIXTURES" && ls -d */ | tr -d / | tr '\n' ' ')
EOF
  exit 2
}

preflight() {
  [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces, veths, a bridge and mounts)"
  local missing=() c
  for c in ip sshd ssh-keygen unshare nsenter flock sysctl zcat openssl sudo setsid findmnt stat; do
    command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || missing+=("$c")
  done
  [ ${#missing[@]} = 0 ] || die "missing commands: ${missing[*]} (install: apt-get install -y $PACKAGES)"
  NODE_BIN=${NODEGATE_LAB_NODE:-$(command -v node || true)}
  [ -x "$NODE_BIN" ] || die "no node binary on PATH (the containerd socket stand-in is a 'node -e' listener)"
}

take_lock() {
  exec 9>"$LOCK"
  flock -w 60 9 || die "timed out waiting for $LOCK"
}

# --- lab-wide inputs, made once per lab dir -------------------------------------------------------------------

# A host kernel may have no module support (overlay and br_netfilter built in), but a real distro node builds both
# as modules. Each node gets the host's config with CONFIG_MODULES=y and those two as =m, so "modules load at boot"
# (HOST-1.3.3) means on a lab node what it means on a real one (a stock distro config already says so: no change).
node_kernel_config() {
  local source
  if [ -r "$PROC_KCONFIG" ]; then source=(zcat "$PROC_KCONFIG")
  elif [ -r "$BOOT_KCONFIG" ]; then source=(cat "$BOOT_KCONFIG")
  else die "no kernel config: neither $PROC_KCONFIG nor $BOOT_KCONFIG is readable (needed for the nodes' /boot/config)"
  fi
  "${source[@]}" | sed \
    -e 's/^# CONFIG_MODULES is not set$/CONFIG_MODULES=y/' \
    -e 's/^CONFIG_OVERLAY_FS=y$/CONFIG_OVERLAY_FS=m/' \
    -e 's/^CONFIG_BRIDGE_NETFILTER=y$/CONFIG_BRIDGE_NETFILTER=m/'
}

prepare_lab_dir() {
  local gen=$DIR/gen keys=$DIR/keys
  mkdir -p "$gen" "$keys" "$DIR/nodes"
  chmod 0700 "$keys"
  [ -f "$keys/ssh_host_ed25519_key" ] ||
    ssh-keygen -q -t ed25519 -N '' -C nodegate-lab-host -f "$keys/ssh_host_ed25519_key"
  [ -f "$keys/client" ] || ssh-keygen -q -t ed25519 -N '' -C nodegate-lab-client -f "$keys/client"

  [ -d "$SHARED/artifacts" ] ||
    die "$SHARED/artifacts is missing: the node's config.toml and sysctl.conf are generated from it"
  local a
  for a in "$CONTAINERD_ARTIFACT" "$SYSCTL_CONF_ARTIFACT"; do
    [ -f "$SHARED/$a" ] || die "$SHARED/$a is missing"
  done
  cp "$SHARED/$CONTAINERD_ARTIFACT" "$gen/containerd-default.toml"
  cp "$SHARED/$SYSCTL_CONF_ARTIFACT" "$gen/sysctl.conf"

  node_kernel_config >"$gen/kernel-config"

  # Copies of the host's account files plus the two lab users (a node sees them through its /etc overlay).
  local hash
  hash=$(openssl passwd -6 "$PW_PASSWORD")
  grep -v -e '^ngaudit:' -e '^ngpw:' /etc/passwd >"$gen/passwd"
  printf 'ngaudit:x:%s:%s:nodegate lab audit user:/home/ngaudit:/bin/bash\n' $AUDIT_UID $AUDIT_UID >>"$gen/passwd"
  printf 'ngpw:x:%s:%s:nodegate lab password user:/home/ngpw:/bin/bash\n' $PW_UID $PW_UID >>"$gen/passwd"
  grep -v -e '^ngaudit:' -e '^ngpw:' /etc/group >"$gen/group"
  printf 'ngaudit:x:%s:\nngpw:x:%s:\n' $AUDIT_UID $PW_UID >>"$gen/group"
  grep -v -e '^ngaudit:' -e '^ngpw:' /etc/shadow >"$gen/shadow"
  printf 'ngaudit:*:20000:0:99999:7:::\nngpw:%s:20000:0:99999:7:::\n' "$hash" >>"$gen/shadow"
  printf 'ngaudit ALL=(ALL:ALL) NOPASSWD: ALL\nngpw ALL=(ALL:ALL) ALL\n' >"$gen/sudoers"
}

# --- one node --------------------------------------------------------------------------------------------------

load_variant() {
  local v=$1
  DESCRIPTION='' NODE_HOSTNAME='' SOCKET_MODE='' SOCKET_OWNER='' SOCKET_GROUP='' NET_SYSCTLS=''
  CONTAINERD_GUIDE_SED='' CONTAINERD_SED='' CONTAINERD_APPEND='' REMOVE=''
  # shellcheck source=/dev/null
  . "$FIXTURES/base/variant.env"
  # shellcheck source=/dev/null
  [ "$v" = base ] || . "$FIXTURES/$v/variant.env"
}

# Composes base + variant + generated files into DIR/nodes/NAME: etc/ (lower layer of the node's /etc overlay),
# sysctl.d/ and modules-load.d/ (bound over those directories so they replace, not merge with, the host's),
# boot/, sshd_config and node.env (read by node-init.sh).
build_node_tree() {
  local name=$1 variant=$2 address=$3 nd=$DIR/nodes/$1
  load_variant "$variant"
  local t=$nd/tree
  mkdir -p "$t" "$nd/upper" "$nd/work" "$nd/upper-varlib" "$nd/work-varlib"
  cp -a "$FIXTURES/base/root/." "$t/"
  if [ "$variant" != base ] && [ -d "$FIXTURES/$variant/root" ]; then cp -a "$FIXTURES/$variant/root/." "$t/"; fi
  local p
  for p in $REMOVE; do rm -rf "${t:?}/$p"; done
  # Git records no write bits, so a checkout made under umask 002 has group-writable fixtures; the node's files
  # are a root-installed system's (0644/0755), or SEC-4.2.1 and friends would judge the clone, not the node.
  chmod -R go-w "$t"

  local etc=$t/etc
  mkdir -p "$etc/containerd" "$etc/sudoers.d" "$etc/ssh" "$t/boot" "$etc/sysctl.d" "$etc/modules-load.d"
  cp "$DIR/gen/sysctl.conf" "$etc/sysctl.conf"
  local toml=$etc/containerd/config.toml
  cp "$DIR/gen/containerd-default.toml" "$toml"
  # The guide's own step: sudo sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
  [ "$CONTAINERD_GUIDE_SED" = no ] || sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$toml"
  [ -z "$CONTAINERD_SED" ] || sed -i "$CONTAINERD_SED" "$toml"
  [ -z "$CONTAINERD_APPEND" ] || cat "$FIXTURES/$variant/$CONTAINERD_APPEND" >>"$toml"
  cp "$DIR/gen/kernel-config" "$t/boot/config-$(uname -r)"
  install -m 0644 "$DIR/gen/passwd" "$etc/passwd"
  install -m 0644 "$DIR/gen/group" "$etc/group"
  install -m 0640 -g shadow "$DIR/gen/shadow" "$etc/shadow" 2>/dev/null || install -m 0640 "$DIR/gen/shadow" "$etc/shadow"
  install -m 0440 "$DIR/gen/sudoers" "$etc/sudoers.d/nodegate-lab"
  install -m 0644 "$DIR/keys/client.pub" "$etc/ssh/nodegate-lab_authorized_keys"

  rm -rf "${nd:?}/etc" "${nd:?}/varlib" "${nd:?}/sysctl.d" "${nd:?}/modules-load.d" "${nd:?}/boot"
  mv "$etc/sysctl.d" "$nd/sysctl.d"
  mv "$etc/modules-load.d" "$nd/modules-load.d"
  mv "$t/boot" "$nd/boot"
  mv "$etc" "$nd/etc"
  mkdir -p "$t/var/lib"
  mv "$t/var/lib" "$nd/varlib"
  rm -rf "$t"

  [ -n "$NODE_HOSTNAME" ] || NODE_HOSTNAME=$(head -n1 "$nd/etc/hostname")
  local uid gid
  uid=$(getent passwd "$SOCKET_OWNER" | cut -d: -f3) || die "variant $variant: unknown socket owner $SOCKET_OWNER"
  gid=$(getent group "$SOCKET_GROUP" | cut -d: -f3) || die "variant $variant: unknown socket group $SOCKET_GROUP"
  {
    printf 'NODE_NAME=%q\nNODE_VARIANT=%q\nNODE_ADDRESS=%q\nNODE_HOSTNAME=%q\n' "$name" "$variant" "$address" "$NODE_HOSTNAME"
    printf 'SOCKET_MODE=%q\nSOCKET_UID=%q\nSOCKET_GID=%q\n' "$SOCKET_MODE" "$uid" "$gid"
    printf 'NET_SYSCTLS=%q\nNODE_BIN=%q\nHOME_USERS=%q\n' "$NET_SYSCTLS" "$NODE_BIN" "ngaudit:$AUDIT_UID ngpw:$PW_UID"
    printf 'NODE_DESCRIPTION=%q\n' "$DESCRIPTION"
  } >"$nd/node.env"

  cat >"$nd/sshd_config" <<EOF
# Generated by labs/netns/lab.sh for lab node $name ($variant).
ListenAddress $address
Port 22
HostKey $DIR/keys/ssh_host_ed25519_key
AuthorizedKeysFile /etc/ssh/nodegate-lab_authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $nd/sshd.pid
Subsystem sftp internal-sftp
MaxStartups 100:30:200
MaxSessions 50
LogLevel INFO
EOF
}

# Picks the lowest free address: host-side veths are named after the last octet, so they are the registry.
next_octet() {
  local o
  for ((o = 10; o <= 254; o++)); do
    [ -e "/sys/class/net/ngv$o" ] || { [ -z "${TAKEN[$o]:-}" ] && { echo "$o"; return; }; }
  done
  die "no free address left in $NET.10-254"
}

ensure_bridge() {
  [ -e "/sys/class/net/$BRIDGE" ] && return
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

start_node() {
  local name=$1 variant=$2 octet=$3 nd=$DIR/nodes/$1
  local ns=ng-$name veth=ngv$octet address=$NET.$octet
  printf 'NS=%q\nVETH=%q\nADDRESS=%q\nVARIANT=%q\n' "$ns" "$veth" "$address" "$variant" >"$nd/state"
  build_node_tree "$name" "$variant" "$address"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  # A reused address has a new MAC: drop the host's cached neighbour entry or SYNs go to the old one for ~30 s.
  ip neigh flush dev "$BRIDGE" to "$address" 2>/dev/null || true
  ip -n "$ns" addr add "$address/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  # No default route: a node can reach the bridge and its peers, nothing else.
  setsid ip netns exec "$ns" unshare --mount --uts --pid --ipc --fork --kill-child --mount-proc \
    --propagation private "$HERE/node-init.sh" "$nd" </dev/null >"$nd/node.log" 2>&1 9>&- &
  echo $! >"$nd/init.pid"
  disown
}

wait_ready() {
  local name=$1 nd=$DIR/nodes/$1 deadline=$((SECONDS + 20))
  until [ -s "$nd/sshd.pid" ]; do
    if ! kill -0 "$(cat "$nd/init.pid")" 2>/dev/null; then
      die "node $name died during start; its log ($nd/node.log):
$(tail -n 20 "$nd/node.log")"
    fi
    [ $SECONDS -lt $deadline ] || die "node $name: sshd not up after 20 s; log: $(tail -n 20 "$nd/node.log")"
    sleep 0.05
  done
}

# --- teardown --------------------------------------------------------------------------------------------------

# Kills every process in the node's netns (its whole PID namespace lives there), then deletes netns and veth.
kill_node() {
  local nd=$1 NS='' pids
  [ -f "$nd/state" ] || return 0
  # shellcheck source=/dev/null
  . "$nd/state"
  [ -n "$NS" ] && [ -e "/run/netns/$NS" ] || return 0
  pids=$(ip netns pids "$NS" 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

down_node() {
  local nd=$1 NS='' VETH='' ADDRESS='' p
  [ -f "$nd/state" ] || return 0
  # shellcheck source=/dev/null
  . "$nd/state"
  kill_node "$nd"
  if [ -n "$NS" ] && [ -e "/run/netns/$NS" ]; then
    for _ in $(seq 50); do
      [ -n "$(ip netns pids "$NS" 2>/dev/null || true)" ] || break
      kill_node "$nd"
      sleep 0.05
    done
    ip netns del "$NS" 2>/dev/null || true
  fi
  # The launcher pid, if it never made it into the namespace (checked by its command line, never by name).
  if [ -f "$nd/init.pid" ]; then
    p=$(cat "$nd/init.pid")
    if [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF "$nd"; then kill -KILL "$p" 2>/dev/null || true; fi
  fi
  [ -z "$VETH" ] || ip link del "$VETH" 2>/dev/null || true
  [ -z "${ADDRESS:-}" ] || ip neigh flush dev "$BRIDGE" to "$ADDRESS" 2>/dev/null || true
  # Mounts live in each node's private mount namespace and die with it; this catches anything that leaked.
  findmnt -rn -o TARGET | { grep -F "$nd/" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -f "$nd/sshd.pid" "$nd/state"
}

# The lab dir that owns a netns, read from its processes' command lines (sshd -f DIR/nodes/NAME/sshd_config).
netns_owner() {
  local p
  for p in $(ip netns pids "$1" 2>/dev/null || true); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -o '/[^ ]*/nodes/' | head -n1 | sed 's|/nodes/$||' && return
  done
}

# A node whose lab dir was deleted without `down` (a crashed test run): nothing else can ever tear it down.
reclaim_orphan() {
  local ns=$1 pids
  for _ in $(seq 50); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.05
  done
  # Deleting the netns destroys its eth0 and with it the host end of the veth.
  ip netns del "$ns" 2>/dev/null || true
}

remove_bridge_if_unused() {
  [ -e "/sys/class/net/$BRIDGE" ] || return 0
  compgen -G "/run/netns/ng-*" >/dev/null && return 0
  compgen -G "/sys/class/net/$BRIDGE/brif/*" >/dev/null && return 0
  ip link del "$BRIDGE" 2>/dev/null || true
}

# --- commands --------------------------------------------------------------------------------------------------

parse_dir() {
  [ "${1:-}" = --dir ] && [ -n "${2:-}" ] || usage
  DIR=$2
}

check_dir() {
  [[ "$DIR" != *[[:space:]:,]* ]] || die "--dir $DIR: no spaces, ':' or ',' (the path goes into overlay mount options)"
  case "$DIR" in
    /run | /run/* | /etc | /etc/* | /boot | /boot/* | /home | /home/* | /proc/* | /sys/*)
      die "--dir $DIR: a node hides /run, /etc, /boot and /home behind its own mounts; use a dir elsewhere (e.g. under /tmp)" ;;
  esac
}

CREATED=()
on_up_exit() {
  local rc=$?
  [ $rc = 0 ] && return
  log "up failed (exit $rc); tearing down the nodes it started"
  local n
  for n in "${CREATED[@]}"; do kill_node "$DIR/nodes/$n"; done
  for n in "${CREATED[@]}"; do down_node "$DIR/nodes/$n"; done
  remove_bridge_if_unused
}

cmd_up() {
  parse_dir "$@"
  shift 2
  [ $# -gt 0 ] || usage
  preflight
  local arg name variant names=() variants=()
  declare -A seen=()
  for arg in "$@"; do
    [[ "$arg" == *=* ]] || usage
    name=${arg%%=*} variant=${arg#*=}
    [[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "bad node name '$name' (lowercase letters, digits, '-')"
    [[ "$variant" =~ ^[a-z0-9][a-z0-9-]*$ ]] && [ -f "$FIXTURES/$variant/variant.env" ] ||
      die "unknown variant '$variant' (see $FIXTURES)"
    [ -z "${seen[$name]:-}" ] || die "node name '$name' given twice"
    seen[$name]=1
    names+=("$name") variants+=("$variant")
  done
  check_dir
  mkdir -p "$DIR"
  DIR=$(realpath "$DIR")
  check_dir
  take_lock
  local owner
  for name in "${names[@]}"; do
    [ -e "/run/netns/ng-$name" ] || continue
    owner=$(netns_owner "ng-$name")
    if [ -n "$owner" ] && [ ! -d "$owner" ]; then
      log "reclaiming ng-$name: its lab dir $owner no longer exists"
      reclaim_orphan "ng-$name"
    elif [ -z "$(ip netns pids "ng-$name" 2>/dev/null || true)" ]; then
      # Under the lock no `up` is half-way, so a lab netns without processes is a leftover.
      log "reclaiming ng-$name: no process runs in it"
      reclaim_orphan "ng-$name"
    else
      die "netns ng-$name already exists (lab dir: ${owner:-unknown}); run 'lab.sh down --dir <that dir>' or pick another name"
    fi
  done
  trap on_up_exit EXIT
  trap 'exit 130' INT TERM
  prepare_lab_dir
  ensure_bridge
  declare -A TAKEN=()
  local i octet octets=()
  for i in "${!names[@]}"; do
    octet=$(next_octet)
    TAKEN[$octet]=1
    octets+=("$octet")
    rm -rf "${DIR:?}/nodes/${names[$i]}"
    mkdir -p "$DIR/nodes/${names[$i]}"
    CREATED+=("${names[$i]}")
    start_node "${names[$i]}" "${variants[$i]}" "$octet"
  done
  for name in "${names[@]}"; do wait_ready "$name"; done
  trap - EXIT INT TERM
  for i in "${!names[@]}"; do
    printf '{"name":"%s","variant":"%s","address":"%s","port":22,"netns":"ng-%s"}\n' \
      "${names[$i]}" "${variants[$i]}" "$NET.${octets[$i]}" "${names[$i]}" | tee "$DIR/nodes/${names[$i]}/node.json"
  done
}

cmd_down() {
  parse_dir "$@"
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ -d "$DIR/nodes" ] || return 0
  DIR=$(realpath "$DIR")
  take_lock
  local nd
  for nd in "$DIR"/nodes/*/; do [ ! -d "$nd" ] || kill_node "${nd%/}"; done
  for nd in "$DIR"/nodes/*/; do [ ! -d "$nd" ] || down_node "${nd%/}"; done
  remove_bridge_if_unused
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  kernel-config) node_kernel_config ;;
  *) usage ;;
esac
