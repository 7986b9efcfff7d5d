#!/usr/bin/env bash
# Brings up the one-node cluster lab (root): etcd, kube-apiserver (TLS, Node+RBAC, NodeRestriction, Pod Security
# admission), kube-controller-manager and kube-scheduler on this machine on an address the lab owns, and the
# worker "worker-01" in its own network, mount, UTS and PID namespaces with a private containerd (CRI), the real
# kubelet, kube-proxy and kube-router's NetworkPolicy controller; CoreDNS runs as a pod. Ends by printing
#   {"kubeconfig": PATH, "node": NAME, "target": "ssh://…", "identity": PATH, "knownHosts": PATH, "images": FILE}
#
#   labs/cluster/up.sh [--dir DIR]        # default /tmp/nodegate-cluster; labs/cluster/down.sh --dir DIR undoes it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=/tmp/nodegate-cluster
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--dir DIR]" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "up.sh: needs root (namespaces, iptables, containerd)" >&2; exit 2; }
for c in containerd runc iptables ipset sshd openssl gcc unshare nsenter ip; do
  command -v "$c" >/dev/null || { echo "up.sh: $c is missing (see docs/cluster-lab.md for the packages)" >&2; exit 2; }
done

# The lab's addresses: a /24 of its own between the host and the worker's namespace, and cluster ranges that
# overlap neither it nor the namespace lab's 10.250.0.0/24.
netns=ngc-worker
node=worker-01
host_ip=10.251.0.1
node_ip=10.251.0.10
pod_cidr=10.244.0.0/16
service_cidr=10.96.0.0/12
api_service_ip=10.96.0.1
dns_ip=10.96.0.10
etcd_port=23790

t0=$(date +%s.%N)
since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[cluster-up %6ss] %s\n' "$(since)" "$*" >&2; }

exec 9>/tmp/nodegate-cluster.lock
flock -n 9 || { echo "up.sh: another cluster lab is being brought up or torn down" >&2; exit 2; }
ip netns list | grep -qw "$netns" && { echo "up.sh: namespace $netns exists: a lab is up (down.sh --dir ... first)" >&2; exit 2; }

bin=$("$here/build.sh" | tail -1)
images=$("$here/images.sh" "$bin" | tail -1)
log "binaries $bin, images $images"

mkdir -p "$dir"/{pki,log,run}
dir=$(cd "$dir" && pwd)
trap 'rc=$?; if [[ $rc != 0 ]]; then log "failed (exit $rc): tearing down"; "$here/down.sh" --dir "$dir" >&2 || true; fi' EXIT
"$here/pki.sh" "$dir/pki" "$host_ip" "$node" "$node_ip" "$api_service_ip"
pki=$dir/pki

# kubeconfig FILE USER CERT_NAME: certificates embedded, so the file can be handed to any client.
kubeconfig() {
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: nodegate-lab
    cluster:
      server: https://$host_ip:6443
      certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
  - name: $2
    user:
      client-certificate-data: $(base64 -w0 "$pki/$3.crt")
      client-key-data: $(base64 -w0 "$pki/$3.key")
contexts:
  - name: $2@nodegate-lab
    context: { cluster: nodegate-lab, user: $2 }
current-context: $2@nodegate-lab
KC
  chmod 0600 "$1"
}

# run NAME COMMAND...: a control-plane process on the host, in its own session, pid in $dir/run/NAME.pid.
run() {
  local name=$1
  shift
  setsid "$@" >>"$dir/log/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/run/$name.pid"
}

# wait_for WHAT SECONDS COMMAND...: polls every 0.2 s.
wait_for() {
  local what=$1 limit=$2
  shift 2
  local end=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [[ $(date +%s) -lt $end ]] || { log "timed out after ${limit}s waiting for $what"; return 1; }
    sleep 0.2
  done
  log "$what"
}

# The link between the host and the worker: only these two addresses, no default route out of the node.
ip netns add "$netns"
ip link add ngc0 type veth peer name eth0 netns "$netns"
ip addr add "$host_ip/24" dev ngc0
ip link set ngc0 up
ip -n "$netns" addr add "$node_ip/24" dev eth0
ip -n "$netns" link set eth0 up
ip -n "$netns" link set lo up

run etcd "$bin/etcd" --name nodegate-lab --data-dir "$dir/etcd" \
  --listen-client-urls "https://127.0.0.1:$etcd_port" --advertise-client-urls "https://127.0.0.1:$etcd_port" \
  --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
  --initial-cluster nodegate-lab=http://127.0.0.1:23800 --listen-metrics-urls http://127.0.0.1:23810 \
  --cert-file "$pki/etcd-server.crt" --key-file "$pki/etcd-server.key" \
  --client-cert-auth --trusted-ca-file "$pki/etcd-ca.crt"
run kube-apiserver "$bin/kube-apiserver" --advertise-address="$host_ip" --bind-address="$host_ip" --secure-port=6443 \
  --etcd-servers="https://127.0.0.1:$etcd_port" --etcd-cafile="$pki/etcd-ca.crt" \
  --etcd-certfile="$pki/apiserver-etcd-client.crt" --etcd-keyfile="$pki/apiserver-etcd-client.key" \
  --client-ca-file="$pki/ca.crt" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range="$service_cidr" --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false \
  --endpoint-reconciler-type=lease
kubeconfig "$dir/admin.conf" nodegate-lab-admin admin
kubeconfig "$dir/controller-manager.conf" system:kube-controller-manager controller-manager
kubeconfig "$dir/scheduler.conf" system:kube-scheduler scheduler
kubectl() { "$bin/kubectl" --kubeconfig "$dir/admin.conf" "$@"; }
wait_for "API server ready" 120 kubectl get --raw /readyz
run kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$dir/controller-manager.conf" \
  --authentication-kubeconfig="$dir/controller-manager.conf" --authorization-kubeconfig="$dir/controller-manager.conf" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --allocate-node-cidrs=true --cluster-cidr="$pod_cidr" --node-cidr-mask-size=24 --service-cluster-ip-range="$service_cidr" \
  --root-ca-file="$pki/ca.crt" --service-account-private-key-file="$pki/sa.key" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" --profiling=false
run kube-scheduler "$bin/kube-scheduler" --kubeconfig="$dir/scheduler.conf" \
  --authentication-kubeconfig="$dir/scheduler.conf" --authorization-kubeconfig="$dir/scheduler.conf" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false
kubectl apply -f "$here/manifests/rbac.yaml" >/dev/null

# The worker's files, laid over /etc and /var/lib inside its mount namespace by node-init.sh.
nd=$dir/node
mkdir -p "$nd"/{etc,work-etc,varlib,work-varlib,containerd-root,kubelet-root,log}
mkdir -p "$nd/etc/kubernetes/pki" "$nd/etc/kubernetes/manifests" "$nd/etc/containerd" "$nd/etc/cni/net.d" "$nd/kubelet-root/pki" \
  "$nd/etc/default"
cp "$pki/ca.crt" "$nd/etc/kubernetes/pki/ca.crt"
# The kubelet's client identity is a certificate the lab signed (system:node:worker-01 in system:nodes), in the
# kubeconfig the kubelet would otherwise have written after TLS bootstrap.
kubeconfig "$nd/etc/kubernetes/kubelet.conf" "system:node:$node" kubelet-client
kubeconfig "$nd/etc/kubernetes/kube-proxy.conf" system:kube-proxy kube-proxy
kubeconfig "$nd/etc/kubernetes/kube-router.conf" nodegate-lab:kube-router kube-router
install -m 0644 "$pki/kubelet-server.crt" "$nd/kubelet-root/pki/kubelet.crt"
install -m 0600 "$pki/kubelet-server.key" "$nd/kubelet-root/pki/kubelet.key"
pause_image=$(awk -F'\t' '$1 ~ /\/pause:/ { print $1 }' "$images/images.tsv")
coredns_image=$(awk -F'\t' '$1 ~ /\/coredns:/ { print $1 }' "$images/images.tsv")
sed -e "s|@PAUSE_IMAGE@|$pause_image|" -e "s|@CNI_BIN@|$bin/cni|" "$here/node/containerd.toml" >"$nd/etc/containerd/config.toml"
sed -e "s|@DNS_IP@|$dns_ip|" "$here/node/kubelet-config.yaml" >"$nd/kubelet-root/config.yaml"
# The guide's hardened modes (KUBELET-3.2.4: config 0600; the kubeconfigs are written 0600 above).
chmod 0600 "$nd/kubelet-root/config.yaml"
printf 'KUBELET_KUBEADM_ARGS="--node-ip=%s --hostname-override=%s"\n' "$node_ip" "$node" >"$nd/kubelet-root/kubeadm-flags.env"
# The guide's seccomp profile where its install step puts it (the kubelet's seccomp root), so SEC-4.2.5 runs a pod
# under localhost/profiles/web-app.json. The healthy node has it with its traps avoided, the same text the VM
# lab's guide-traps-avoided scenario installs (the guide's literal one stops runc 1.1 before the workload runs:
# scenarios/seccomp-guide-literal.sh); a copy stays in DIR for that scenario's undo. One call is added: vfork,
# with which Debian's dash (the /bin/sh of the lab's busybox image, see images.sh) runs every command; the
# guide's busybox:1.36 has busybox ash, which forks with clone.
sed -n "/^cat >\/var\/lib\/kubelet\/seccomp\/profiles\/web-app.json <<'EOF'\$/,/^EOF\$/p" \
  "$here/../vm/scenarios/guide-traps-avoided.sh" | sed '1d;$d' | sed 's/"clone", /"clone", "vfork", /' >"$dir/web-app.healthy.json"
grep -q '"vfork"' "$dir/web-app.healthy.json" || { echo "up.sh: no seccomp profile with clone found in labs/vm/scenarios/guide-traps-avoided.sh" >&2; exit 2; }
install -D -m 0644 "$dir/web-app.healthy.json" "$nd/kubelet-root/seccomp/profiles/web-app.json"
sed -e "s|@BIN@|$bin|g" "$here/node/kubelet-run.sh" >"$nd/kubelet-run.sh"
chmod 0755 "$nd/kubelet-run.sh"

# OpenSSH into the worker: a key pair and host key of the lab's own, known_hosts written for the address.
[[ -f $dir/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C nodegate-cluster-lab -f "$dir/id_ed25519"
[[ -f $nd/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "$node" -f "$nd/ssh_host_ed25519_key"
echo "$node_ip $(cut -d' ' -f1,2 "$nd/ssh_host_ed25519_key.pub")" >"$dir/known_hosts"
cat >"$nd/sshd_config" <<SSHD
ListenAddress $node_ip:22
HostKey $nd/ssh_host_ed25519_key
AuthorizedKeysFile $dir/id_ed25519.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $nd/sshd.pid
Subsystem sftp internal-sftp
SSHD
# The node's own kernel tunables (see node-init.sh): the values the guide persists for protectKernelDefaults.
cat >"$nd/node.env" <<ENV
NODE_NAME=$node
BIN=$bin
POD_CIDR=$pod_cidr
KERNEL_TUNABLES="vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000"
ENV
# What a node that followed the guide persists: the network sysctls and the kernel defaults, read by
# `sysctl --system` at boot (nodegate's HOST-1.4.x judge the files as well as the running values).
mkdir -p "$nd/etc/sysctl.d"
cat >"$nd/etc/sysctl.d/99-kubernetes.conf" <<SYSCTL
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
vm.overcommit_memory = 1
vm.panic_on_oom = 0
kernel.panic = 10
kernel.panic_on_oops = 1
kernel.keys.root_maxkeys = 1000000
kernel.keys.root_maxbytes = 25000000
SYSCTL
echo "$node" >"$nd/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n%s control-plane\n%s %s\n' "$host_ip" "$node_ip" "$node" >"$nd/etc/hosts"
# What the host's are now: down.sh says so if the lab changed them.
sysctl -n vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops >"$dir/host-tunables"

# nsenter, not `ip netns exec`: the latter remounts /sys in a new mount namespace, which drops the cgroup mounts
# the kubelet needs; node-init.sh remounts sysfs itself and keeps them.
nsenter --net="/run/netns/$netns" setsid unshare --mount --uts --pid --ipc --fork --kill-child --mount-proc --propagation private \
  "$here/node-init.sh" "$nd" >>"$dir/log/node-init.log" 2>&1 </dev/null &
echo $! >"$dir/run/node.pid"
wait_for "worker's containerd" 30 test -S "/proc/$(cat "$dir/run/node.pid")/root/run/containerd/containerd.sock"

# nsenter_node COMMAND...: runs in every namespace of the worker (the PID 1 of its PID namespace is unshare's child).
node_pid() { pgrep -P "$(cat "$dir/run/node.pid")" | head -1; }
nsenter_node() { nsenter -t "$(node_pid)" -a "$@"; }
t_import=$(date +%s.%N)
while IFS=$'\t' read -r name file _; do
  nsenter_node ctr -n k8s.io images import --no-unpack=false "$images/$file" >/dev/null
done <"$images/images.tsv"
log "images imported in $(awk -v a="$t_import" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

wait_for "node $node registered" 120 kubectl get node "$node"
# kube-router's NetworkPolicy controller (its firewall), in the worker's namespaces; it needs the Node object.
nsenter_node sh -c "setsid '$bin/kube-router' --kubeconfig=/etc/kubernetes/kube-router.conf --hostname-override=$node \
  --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false --health-port=20244 \
  >>'$nd/log/kube-router.log' 2>&1 </dev/null & echo \$! >/run/kube-router.pid"
wait_for "pod CIDR allocated" 60 sh -c "[ -n \"\$('$bin/kubectl' --kubeconfig '$dir/admin.conf' get node $node -o jsonpath='{.spec.podCIDR}')\" ]"
node_pod_cidr=$(kubectl get node "$node" -o jsonpath='{.spec.podCIDR}')
# kube-router's CNI configuration (bridge + host-local + portmap) with the node's pod CIDR, as its routing
# controller would write it; the lab runs kube-router's policy controller only (see docs/cluster-lab.md).
# Written through the node's own /etc: a file put into the overlay's upper directory from outside is not seen by
# containerd's watch on /etc/cni/net.d.
sed -e "s|@POD_SUBNET@|$node_pod_cidr|" "$here/node/10-kuberouter.conflist" |
  nsenter_node sh -c 'cat >/etc/cni/net.d/.10-kuberouter.conflist && mv /etc/cni/net.d/.10-kuberouter.conflist /etc/cni/net.d/10-kuberouter.conflist'

wait_for "node Ready" 120 kubectl wait --for=condition=Ready "node/$node" --timeout=2s

sed -e "s|@COREDNS_IMAGE@|$coredns_image|" -e "s|@DNS_IP@|$dns_ip|" "$here/manifests/coredns.yaml" | kubectl apply -f - >/dev/null
# The pod, not the Deployment: with one replica its Available condition is true before any pod runs.
wait_for "CoreDNS ready" 180 kubectl -n kube-system wait --for=condition=Ready pod -l k8s-app=kube-dns --timeout=2s

# The profile override that points the live checks at the lab's images (what an air-gapped site writes).
awk -F'\t' '
  $1 ~ /\/busybox:/ { shell = $1 } $1 ~ /\/web:/ { web = $1 } $1 ~ /\/stress:/ { stress = $1 }
  END { printf "# nodegate profile override written by labs/cluster/up.sh: the images it imported and the lab'"'"'s addresses.\ncluster:\n  images:\n    web: %s\n    shell: %s\n    stress: %s\n", web, shell, stress }
' "$images/images.tsv" >"$dir/images-profile.yaml"
# This node is not the guide's 16 GB, 4-CPU worker: allocatable is judged against its own arithmetic only.
printf '  allocatable: { memory: null, cpu: null }\nhosts:\n  - { ip: %s, names: [control-plane] }\n  - { ip: %s, names: [%s] }\n' \
  "$host_ip" "$node_ip" "$node" >>"$dir/images-profile.yaml"

log "up"
trap - EXIT
# The same line is kept in DIR/up.json for tests and scripts that come later.
printf '{"kubeconfig":"%s","node":"%s","target":"ssh://root@%s:22","identity":"%s","knownHosts":"%s","images":"%s"}\n' \
  "$dir/admin.conf" "$node" "$node_ip" "$dir/id_ed25519" "$dir/known_hosts" "$dir/images-profile.yaml" | tee "$dir/up.json"
