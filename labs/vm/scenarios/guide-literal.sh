#!/bin/sh
# The guide's worker steps, literally, on the kubeadm worker the image already is (so "kubeadm join" has happened).
# Left out only what cannot run here: apt installs from the internet (containerd comes from Debian, there is no
# kubelet package), "kubeadm join" itself, `journalctl -f` (never returns) and `jq` (not installed). No `set -e`:
# a human pasting the guide sees failures and carries on, and so does this script. Ends as a reboot would:
# daemon-reload and a restart of containerd and the kubelet.
echo "== Prerequisites & System Preparation"
sudo hostnamectl set-hostname worker-01

sudo tee -a /etc/hosts <<EOF
10.0.0.10 control-plane
10.0.0.20 worker-01
EOF

sudo swapoff -a
sudo sed -i '/ swap / s/^/#/' /etc/fstab
free -h | grep -i swap

sudo tee /etc/modules-load.d/k8s.conf <<EOF
overlay
br_netfilter
EOF

sudo modprobe overlay
sudo modprobe br_netfilter

sudo tee /etc/sysctl.d/k8s.conf <<EOF
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
EOF

sudo sysctl --system

lsmod | grep -E 'overlay|br_netfilter'
sysctl net.bridge.bridge-nf-call-iptables net.ipv4.ip_forward

echo "== Install Container Runtime (containerd)"
sudo mkdir -p /etc/containerd
containerd config default | sudo tee /etc/containerd/config.toml >/dev/null
sudo sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
sudo systemctl restart containerd
sudo systemctl enable containerd
sudo systemctl status containerd --no-pager

sudo chmod 660 /run/containerd/containerd.sock
sudo chown root:root /run/containerd/containerd.sock
ls -la /run/containerd/containerd.sock

echo "== Configure Kubelet for Worker Node Hardening"
sudo mkdir -p /etc/systemd/system/kubelet.service.d
sudo tee /etc/systemd/system/kubelet.service.d/20-hardening.conf <<EOF
[Service]
Environment="KUBELET_EXTRA_ARGS=--protect-kernel-defaults=true --event-qps=5 --read-only-port=0"
EOF
sudo systemctl daemon-reload
sudo systemctl restart kubelet
sudo systemctl status kubelet --no-pager
sudo journalctl -u kubelet --no-pager -n 5

echo "== Resource Allocation for 16GB Worker Node"
sudo tee /var/lib/kubelet/config.yaml <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
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
sudo systemctl restart kubelet

echo "== Enable Security Profiles (seccomp, AppArmor)"
grep SECCOMP /boot/config-$(uname -r)
sudo aa-status
sudo mkdir -p /var/lib/kubelet/seccomp/profiles
sudo tee /var/lib/kubelet/seccomp/profiles/web-app.json <<'EOF'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    {
      "names": [
        "accept", "accept4", "access", "arch_prctl", "bind", "brk",
        "capget", "capset", "chdir", "chmod", "chown", "clock_gettime",
        "clone", "close", "connect", "dup", "dup2", "epoll_create",
        "epoll_ctl", "epoll_wait", "execve", "exit", "exit_group",
        "fcntl", "fstat", "futex", "getcwd", "getdents", "getegid",
        "geteuid", "getgid", "getpid", "getppid", "getrlimit", "getsockname",
        "getsockopt", "gettid", "getuid", "ioctl", "listen", "lseek",
        "madvise", "mmap", "mprotect", "munmap", "nanosleep", "open",
        "openat", "pipe", "poll", "prctl", "pread64", "prlimit64",
        "read", "readlink", "recvfrom", "recvmsg", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity", "sched_yield",
        "sendmsg", "sendto", "set_robust_list", "set_tid_address",
        "setgid", "setgroups", "setsockopt", "setuid", "shutdown",
        "sigaltstack", "socket", "stat", "statfs", "tgkill", "uname",
        "wait4", "write", "writev"
      ],
      "action": "SCMP_ACT_ALLOW"
    }
  ]
}
EOF

echo "== Performance Tuning for Light Workloads"
sudo tee -a /etc/containerd/config.toml <<EOF

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
  # Reduce CPU overhead for light workloads
  NoPivotRoot = false
  NoNewKeyring = false
EOF

sudo systemctl restart containerd

echo "== As after a reboot"
systemctl daemon-reload
systemctl restart containerd
systemctl restart kubelet
sleep 6
systemctl --no-pager --lines=3 status containerd kubelet
exit 0
