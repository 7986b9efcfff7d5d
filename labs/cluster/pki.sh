#!/usr/bin/env bash
# Writes the lab's certificates with openssl into DIR (idempotent: an existing file is kept): one CA for the
# cluster, one for etcd, serving certificates for etcd, the API server and the kubelet, client certificates for
# every component with the identity RBAC and the Node authorizer expect, and the service-account key pair.
#
#   labs/cluster/pki.sh DIR API_ADDRESS NODE_NAME NODE_ADDRESS SERVICE_IP
set -euo pipefail
[[ $# == 5 ]] || { echo "usage: $0 DIR API_ADDRESS NODE_NAME NODE_ADDRESS SERVICE_IP" >&2; exit 2; }
dir=$1 api=$2 node=$3 node_ip=$4 service_ip=$5
mkdir -p "$dir"
umask 077

ca() { # ca NAME CN
  [[ -f $dir/$1.crt ]] && return
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$2" \
    -keyout "$dir/$1.key" -out "$dir/$1.crt" 2>/dev/null
}

# leaf NAME CA SUBJECT USAGE [SANS]: USAGE is serverAuth, clientAuth or both joined by a comma.
leaf() {
  local name=$1 ca=$2 subject=$3 usage=$4 sans=${5:-}
  [[ -f $dir/$name.crt ]] && return
  local ext="$dir/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial -days 30 \
    -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

ca ca nodegate-lab-kubernetes-ca
ca etcd-ca nodegate-lab-etcd-ca
leaf etcd-server etcd-ca /CN=etcd serverAuth IP:127.0.0.1
leaf apiserver-etcd-client etcd-ca /CN=kube-apiserver-etcd-client clientAuth
leaf apiserver ca /CN=kube-apiserver serverAuth \
  "IP:$api,IP:$service_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
# The API server's identity towards the kubelet (logs, exec, /configz through the proxy).
leaf apiserver-kubelet-client ca /CN=kube-apiserver-kubelet-client clientAuth
leaf admin ca "/O=system:masters/CN=nodegate-lab-admin" clientAuth
leaf controller-manager ca /CN=system:kube-controller-manager clientAuth
leaf scheduler ca /CN=system:kube-scheduler clientAuth
leaf kube-proxy ca /CN=system:kube-proxy clientAuth
leaf kube-router ca /CN=nodegate-lab:kube-router clientAuth
# The Node authorizer and NodeRestriction recognise a kubelet by this exact subject.
leaf kubelet-client ca "/O=system:nodes/CN=system:node:$node" clientAuth
leaf kubelet-server ca "/CN=$node" serverAuth "IP:$node_ip,DNS:$node"
[[ -f $dir/sa.key ]] || {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa.key" 2>/dev/null
  openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
}
rm -f "$dir"/*.srl
