#!/bin/sh
# The guide's worker end state, done right: every trap the catalog names is stepped around, so every static check
# should pass. Differences from guide-literal.sh, each for a catalog trap:
#   - swap lines are commented whatever their whitespace (HOST-1.2.2), not only " swap ";
#   - the six kernel defaults are persisted and applied before protectKernelDefaults is turned on (HOST-1.4.5);
#   - the kubelet flags go into the config file, not a drop-in that /etc/default/kubelet shadows (KUBELET-3.3.16);
#   - the guide's settings are merged into kubeadm's config.yaml instead of replacing it (KUBELET-3.3.17);
#   - the "performance tuning" append, which duplicates a TOML table, is skipped (RT-2.2.1);
#   - the seccomp profile allows what glibc >= 2.34 calls and answers clone3 with ENOSYS (SEC-4.2.4);
#   - unit files, drop-ins and config.yaml are 0600 (KUBELET-3.2.1, 3.2.4).
set -eu

hostnamectl set-hostname worker-01
grep -q '^10.0.0.10[[:space:]]' /etc/hosts || printf '10.0.0.10 control-plane\n10.0.0.20 worker-01\n' >>/etc/hosts

swapoff -a
awk '$1 !~ /^#/ && $3 == "swap" { $0 = "#" $0 } { print }' /etc/fstab >/etc/fstab.new
cat /etc/fstab.new >/etc/fstab && rm /etc/fstab.new

printf 'overlay\nbr_netfilter\n' >/etc/modules-load.d/k8s.conf
modprobe overlay
modprobe br_netfilter
cat >/etc/sysctl.d/k8s.conf <<EOF
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
EOF
cat >/etc/sysctl.d/90-kubelet.conf <<EOF
# Values the kubelet demands with protectKernelDefaults: true
vm.overcommit_memory = 1
vm.panic_on_oom = 0
kernel.panic = 10
kernel.panic_on_oops = 1
kernel.keys.root_maxkeys = 1000000
kernel.keys.root_maxbytes = 25000000
EOF
sysctl --system >/dev/null

mkdir -p /etc/containerd
containerd config default >/etc/containerd/config.toml
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
systemctl restart containerd
systemctl enable containerd 2>/dev/null
chmod 660 /run/containerd/containerd.sock
chown root:root /run/containerd/containerd.sock

# kubeadm's keys stay; the guide's flags and reservations join them (none of these keys is in kubeadm's file).
cfg=/var/lib/kubelet/config.yaml
cp -p "$cfg" /var/lib/kubelet/config.yaml.kubeadm
cat >>"$cfg" <<EOF
protectKernelDefaults: true
eventRecordQPS: 5
readOnlyPort: 0
serverTLSBootstrap: true
podPidsLimit: 4096
seccompDefault: true
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
- TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
- TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
- TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
systemReserved:
  cpu: "500m"
  memory: "1Gi"
  ephemeral-storage: "1Gi"
kubeReserved:
  cpu: "200m"
  memory: "512Mi"
  ephemeral-storage: "1Gi"
evictionHard:
  memory.available: "500Mi"
  nodefs.available: "10%"
  imagefs.available: "15%"
evictionSoft:
  memory.available: "1Gi"
  nodefs.available: "15%"
evictionSoftGracePeriod:
  memory.available: "1m30s"
  nodefs.available: "2m"
maxPods: 110
EOF
chmod 600 "$cfg" /lib/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d/*.conf

mkdir -p /var/lib/kubelet/seccomp/profiles
cat >/var/lib/kubelet/seccomp/profiles/web-app.json <<'EOF'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    {
      "names": [
        "accept", "accept4", "access", "arch_prctl", "bind", "brk",
        "capget", "capset", "chdir", "chmod", "chown", "clock_gettime",
        "clock_nanosleep", "clone", "close", "close_range", "connect",
        "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_pwait", "epoll_wait", "execve", "exit",
        "exit_group", "faccessat2", "fcntl", "fstat", "fstatfs", "futex",
        "getcwd", "getdents64", "getegid", "geteuid", "getgid", "getpid",
        "getppid", "getrandom", "getrlimit", "getsockname", "getsockopt",
        "gettid", "getuid", "ioctl", "listen", "lseek", "madvise",
        "membarrier", "mmap", "mprotect", "mremap", "munmap", "nanosleep",
        "newfstatat", "openat", "pipe2", "poll", "prctl", "pread64",
        "prlimit64", "read", "readlink", "recvfrom", "recvmsg", "rseq",
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
        "sched_getaffinity", "sched_yield", "sendfile", "sendmsg",
        "sendto", "set_robust_list", "set_tid_address", "setgid",
        "setgroups", "setsockopt", "setuid", "shutdown", "sigaltstack",
        "socket", "statfs", "statx", "tgkill", "uname", "wait4", "write",
        "writev"
      ],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "names": ["clone3"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38
    }
  ]
}
EOF
chmod 644 /var/lib/kubelet/seccomp/profiles/web-app.json

systemctl daemon-reload
systemctl restart containerd
systemctl restart kubelet
# The kubelet stand-in validates the CRI for up to 5 s before it listens.
for _ in 1 2 3 4 5 6 7 8 9 10; do ss -Hltn 'sport = :10250' | grep -q . && break; sleep 1; done
systemctl is-active kubelet containerd
