# Shared by the scenario scripts: where the running lab is (up.sh's DIR) and how to reach its API and worker.
# Sourced, not run. DIR defaults to up.sh's; NODEGATE_CLUSTER_DIR names another.
set -euo pipefail
# No descriptor of the caller's past stdin/stdout/stderr (255 is bash's own, the script being read): the cluster
# tests run under `flock /tmp/nodegate-cluster-tests.lock`, and a daemon a scenario starts or restarts (the kubelet,
# containerd, kube-router) would otherwise inherit the locked descriptor and hold the lock for as long as it runs.
for fd in /proc/$$/fd/*; do fd=${fd##*/}; case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" ;; esac; done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${NODEGATE_CLUSTER_DIR:-/tmp/nodegate-cluster}
[ -f "$dir/up.json" ] || { echo "$(basename "$0"): no lab at $dir (run labs/cluster/up.sh first)" >&2; exit 2; }
bin=$("$here/build.sh" | tail -1)
node=worker-01
nd="$dir/node"
kubectl() { "$bin/kubectl" --kubeconfig "$dir/admin.conf" "$@"; }
# The PID 1 of the worker's PID namespace is unshare's child (same as up.sh).
node_pid() { pgrep -P "$(cat "$dir/run/node.pid")" | head -1; }
nsenter_node() { nsenter -t "$(node_pid)" -a "$@"; }
# The guide's workload namespaces (the profile's cluster.workloadNamespaces).
workload_namespaces="flask-apps django-app fastapi-app"
kubelet_config=/var/lib/kubelet/config.yaml
# The node's kubelet config as up.sh wrote it, kept on the first change so healthy.sh can put it back.
save_kubelet_config() { [ -f "$dir/kubelet-config.orig" ] || nsenter_node cat "$kubelet_config" >"$dir/kubelet-config.orig"; }
# Starts a long-lived daemon in the worker (detached, output to LOG, pid to PIDFILE), as systemd would: with no
# descriptor but stdin/stdout/stderr (see the top of this file: a kubelet that inherited the tests' lock held it
# for as long as it ran, and every later test waited on it).
start_in_node() { # start_in_node PIDFILE LOG COMMAND...
  local pidfile=$1 log=$2
  shift 2
  nsenter_node bash -c 'pidfile=$1 log=$2; shift 2
    for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"; done
    setsid "$@" >>"$log" 2>&1 </dev/null & echo $! >"$pidfile"' start_in_node "$pidfile" "$log" "$@"
}
# Stops the worker's kubelet and waits until its process is gone.
stop_kubelet() {
  nsenter_node sh -c 'p=$(cat /run/kubelet.pid); kill "$p" 2>/dev/null; for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done'
}
start_kubelet() { start_in_node /run/kubelet.pid "$nd/log/kubelet.log" "$nd/kubelet-run.sh"; }
# Whether the kubelet process of /run/kubelet.pid is alive.
kubelet_running() { nsenter_node sh -c 'kill -0 "$(cat /run/kubelet.pid 2>/dev/null)" 2>/dev/null'; }
# Restarts the worker's kubelet as systemctl restart kubelet would: stop it, start kubelet-run.sh again (it
# rereads the flags files and config.yaml), and wait until the new kubelet has posted the Node's status.
restart_kubelet() {
  local stopped hb
  stop_kubelet
  stopped=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  start_kubelet
  # Serving again: any HTTP answer on 10250 (401 normally, 200 with anonymous authentication on).
  for _ in $(seq 120); do
    curl -sk --max-time 1 "https://10.251.0.10:10250/healthz" -o /dev/null -w '%{http_code}' 2>/dev/null | grep -q '^[1-5]' && break
    sleep 0.5
  done
  # Ready=True alone may still be the stopped kubelet's (the Node stays Ready for the controller's grace period):
  # wait for a status the new one posted (it posts at start), so allocatable and conditions are its own.
  for _ in $(seq 60); do
    hb=$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}')
    [[ "$hb" > "$stopped" || "$hb" == "$stopped" ]] && break
    sleep 0.5
  done
  [[ "$hb" > "$stopped" || "$hb" == "$stopped" ]] ||
    { echo "$(basename "$0"): the restarted kubelet posted no Node status within 30 s (last heartbeat $hb, stopped at $stopped); see $nd/log/kubelet.log" >&2; return 1; }
  kubectl wait --for=condition=Ready "node/$node" --timeout=60s >/dev/null
}
# The worker's own kernel tunables (node-init.sh): each /proc/sys/PATH the kubelet judges is, in the worker, a bind
# mount of the regular file $nd/proc-sys/<PATH with dots>. set_node_tunables "PATH=VALUE ..." writes those files
# on this side, never through a /proc/sys, and first checks the worker's mount table says the bind is there, then
# that the worker reads the value back.
set_node_tunables() {
  local kv path file np
  np=$(node_pid)
  for kv in $1; do
    path=${kv%%=*}
    file="$nd/proc-sys/$(echo "$path" | tr / .)"
    [ -f "$file" ] && awk -v src="$file" -v dst="/proc/sys/$path" '$4 == src && $5 == dst { found = 1 } END { exit !found }' "/proc/$np/mountinfo" ||
      { echo "$(basename "$0"): the worker's /proc/sys/$path is not a bind mount of $file (node-init.sh); not writing it" >&2; return 1; }
    printf '%s\n' "${kv#*=}" >"$file"
    [ "$(nsenter_node cat "/proc/sys/$path")" = "${kv#*=}" ] || { echo "$(basename "$0"): the worker does not read ${kv#*=} back from /proc/sys/$path" >&2; return 1; }
  done
}
# The host's machine-wide tunables are what up.sh recorded: a scenario that changed them stops loudly.
assert_host_tunables() {
  local now
  now=$(sysctl -n vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops)
  [ "$now" = "$(cat "$dir/host-tunables")" ] ||
    { echo "$(basename "$0"): THIS HOST's vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops are now $(echo $now), up.sh recorded $(echo $(cat "$dir/host-tunables"))" >&2; return 1; }
}
