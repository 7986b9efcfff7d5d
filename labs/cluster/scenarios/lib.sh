# Shared by the scenario scripts: where the running lab is (up.sh's DIR) and how to reach its API and worker.
# Sourced, not run. DIR defaults to up.sh's; NODEGATE_CLUSTER_DIR names another.
set -euo pipefail
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
