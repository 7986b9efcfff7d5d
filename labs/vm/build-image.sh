#!/usr/bin/env bash
# VM lab image: a Debian 12 node laid out as the Kubernetes packages and `kubeadm join` leave a worker, built without
# loop mounts (mkfs.ext4 -d) into a cache outside the repo, rebuilt only when its recipe changes. Read README.md.
#   build-image.sh        prints the image dir (node.img, vmlinuz, initrd.img, id_ed25519, ssh_host_ed25519_key.pub)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=$REPO/fixtures  # holds artifacts/: real files copied in, see fixtures/artifacts/PROVENANCE.md
CACHE=${NODEGATE_VM_CACHE:-/var/cache/nodegate-vm}
IMAGE_SIZE=${NODEGATE_VM_IMAGE_SIZE:-3G}
A=$SHARED/artifacts
# The Kubernetes packages' and kubeadm's real files, read in place (never copied into the repo).
UNIT=$A/kubelet-systemd/kubernetes-release-kubepkg-deb-kubelet.service
DROPIN=$A/kubelet-systemd/kubernetes-release-kubepkg-deb-10-kubeadm.conf
DEFAULTS=$A/kubelet-systemd/kubernetes-release-latest-kubelet.env
KUBELET_CONFIG=$A/kubelet-config/kubeadm-v1.32-controlplane-rocky10-var-lib-kubelet-config.yaml
FLAGS_ENV=$A/kubelet-config/kubeadm-v1.32-worker-k8s-w1-kubeadm-flags.env
# What the dummy kubelet/kubeadm/kubectl packages claim to be: the release the kubeadm artifacts come from.
K8S_DEB_VERSION=1.32.11-1.1

die() { echo "build-image.sh: $*" >&2; exit 1; }
log() { echo "build-image.sh: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, file ownership in the image)"
for c in debootstrap mkfs.ext4 zstd ssh-keygen openssl gcc dpkg-deb sha256sum flock; do
  command -v "$c" >/dev/null 2>&1 || die "missing $c (apt-get install -y qemu-system-x86 qemu-utils debootstrap e2fsprogs openssh-client zstd openssl gcc libc6-dev)"
done
for f in "$UNIT" "$DROPIN" "$DEFAULTS" "$KUBELET_CONFIG" "$FLAGS_ENV"; do
  [ -f "$f" ] || die "missing artifact $f"
done

# Recipe = every file that shapes the image; its hash names the image dir.
KEY=$( (cd "$HERE" && sha256sum build-image.sh rootfs.sh packages.txt kubelet-standin.c $(find layout -type f | sort)
        sha256sum "$UNIT" "$DROPIN" "$DEFAULTS" "$KUBELET_CONFIG" "$FLAGS_ENV" | cut -d' ' -f1
        echo "$IMAGE_SIZE $K8S_DEB_VERSION") | sha256sum | cut -c1-16)
OUT=$CACHE/image-$KEY
mkdir -p "$CACHE"
exec 9>"$CACHE/build.lock"
flock -w 900 9 || die "timed out waiting for another build ($CACHE/build.lock)"
if [ -f "$OUT/done" ]; then echo "$OUT"; exit 0; fi

start=$(date +%s)
TARBALL=$("$HERE/rootfs.sh" "$CACHE")
WORK=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
R=$WORK/root
mkdir -p "$R" "$WORK/out"
zstd -q -d -c "$TARBALL" | tar -C "$R" --numeric-owner --xattrs --xattrs-include='*' -xf -
log "rootfs restored in $(( $(date +%s) - start )) s"

# --- base system --------------------------------------------------------------------------------------------------
echo vm-node >"$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tvm-node\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' >"$R/etc/fstab"
# One fixed machine-id: an empty one would make every -snapshot boot a "first boot".
head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$R/etc/machine-id"; echo >>"$R/etc/machine-id"
printf 'nameserver 10.0.2.3\n' >"$R/etc/resolv.conf"
ln -sf /lib/systemd/system/systemd-networkd.service "$R/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# Nothing to fetch behind restrict=on: apt's timers would only fail or wake the CPU.
for u in apt-daily.timer apt-daily-upgrade.timer; do ln -sf /dev/null "$R/etc/systemd/system/$u"; done
# Kernel modules nobody loads on a headless virtio node; the initrd was built before, depmod runs after.
KVER=$(basename "$(ls -d "$R"/lib/modules/*/ | head -1)")
rm -rf "$R/lib/modules/$KVER/kernel/drivers/"{gpu,media,net/wireless,infiniband,staging,bluetooth,isdn,iio,hwmon,input/touchscreen,usb/gadget} \
  "$R/lib/modules/$KVER/kernel/sound"
chroot "$R" depmod "$KVER"

# --- SSH: one host key made here, one client key for the tests -----------------------------------------------------
rm -f "$R"/etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C nodegate-vm-host -f "$R/etc/ssh/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C nodegate-vm-client -f "$WORK/out/id_ed25519"
cp "$R/etc/ssh/ssh_host_ed25519_key.pub" "$WORK/out/"
install -d -m 0700 "$R/root/.ssh"
install -m 0600 "$WORK/out/id_ed25519.pub" "$R/root/.ssh/authorized_keys"

# --- certificates kubeadm join and the kubelet's TLS bootstrap leave (throwaway, made here) -------------------------
P=$WORK/pki
mkdir -p "$P"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=kubernetes -keyout "$P/ca.key" -out "$P/ca.crt" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,digitalSignature,keyEncipherment 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/O=system:nodes/CN=system:node:worker-01" -keyout "$P/client.key" \
  -out "$P/client.csr" 2>/dev/null
openssl x509 -req -in "$P/client.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 365 \
  -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n') \
  -out "$P/client.crt" 2>/dev/null
# Without tlsCertFile the kubelet writes itself a self-signed serving pair in /var/lib/kubelet/pki.
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=worker-01@$(date +%s)" -keyout "$P/kubelet.key" \
  -out "$P/kubelet.crt" -addext subjectAltName=DNS:worker-01 2>/dev/null

# --- the Kubernetes packages (placeholders) and the kubeadm worker layout --------------------------------------------
gcc -static -O2 -Wall -o "$WORK/kubelet" "$HERE/kubelet-standin.c"
deb() { # deb NAME: build $WORK/deb-NAME (files staged there) into a package that says what it is
  local name=$1 d=$WORK/deb-$1
  mkdir -p "$d/DEBIAN"
  cat >"$d/DEBIAN/control" <<EOF
Package: $name
Version: $K8S_DEB_VERSION
Architecture: amd64
Maintainer: nodegate VM lab <nodegate@localhost>
Section: admin
Priority: optional
Description: nodegate VM lab placeholder for the Kubernetes $name package
 Built by labs/vm/build-image.sh so that dpkg and apt-mark see a kubeadm worker's
 packages. Not the Kubernetes package: /usr/bin/kubelet is a stand-in program.
EOF
  (cd "$d" && find . -path './etc/*' -type f | sed 's|^\.||') >"$d/DEBIAN/conffiles"
  [ -s "$d/DEBIAN/conffiles" ] || rm "$d/DEBIAN/conffiles"
  dpkg-deb --root-owner-group -Zxz --build "$d" "$R/tmp/$name.deb" >/dev/null
}
mkdir -p "$WORK/deb-kubelet/usr/bin" "$WORK/deb-kubelet/lib/systemd/system" "$WORK/deb-kubelet/etc/default" \
  "$WORK/deb-kubeadm/etc/systemd/system/kubelet.service.d" "$WORK/deb-kubectl"
install -m 0755 "$WORK/kubelet" "$WORK/deb-kubelet/usr/bin/kubelet"
install -m 0644 "$UNIT" "$WORK/deb-kubelet/lib/systemd/system/kubelet.service"
install -m 0644 "$DEFAULTS" "$WORK/deb-kubelet/etc/default/kubelet"
install -m 0644 "$DROPIN" "$WORK/deb-kubeadm/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
deb kubelet; deb kubeadm; deb kubectl
chroot "$R" dpkg -i /tmp/kubelet.deb /tmp/kubeadm.deb /tmp/kubectl.deb >/dev/null
chroot "$R" apt-mark hold kubelet kubeadm kubectl >/dev/null
rm -f "$R"/tmp/*.deb
ln -sf /lib/systemd/system/kubelet.service "$R/etc/systemd/system/multi-user.target.wants/kubelet.service"

# kubeadm join: /var/lib/kubelet 0700, its files 0644; certificates 0644 in /etc/kubernetes/pki; kubeconfigs 0600.
install -d -m 0700 "$R/var/lib/kubelet" "$R/var/lib/kubelet/pki"
install -m 0644 "$KUBELET_CONFIG" "$R/var/lib/kubelet/config.yaml"
# The artifact is k8s-w1's dry run; --node-ip is that node's own address, kept out of this node's file.
sed 's/ --node-ip=[^ "]*//' "$FLAGS_ENV" >"$R/var/lib/kubelet/kubeadm-flags.env"
chmod 0644 "$R/var/lib/kubelet/kubeadm-flags.env"
install -d -m 0755 "$R/etc/kubernetes" "$R/etc/kubernetes/pki" "$R/etc/kubernetes/manifests"
install -m 0644 "$P/ca.crt" "$R/etc/kubernetes/pki/ca.crt"
stamp=$(date -u +%Y-%m-%d-%H-%M-%S)
cat "$P/client.crt" "$P/client.key" >"$R/var/lib/kubelet/pki/kubelet-client-$stamp.pem"
chmod 0600 "$R/var/lib/kubelet/pki/kubelet-client-$stamp.pem"
ln -s "/var/lib/kubelet/pki/kubelet-client-$stamp.pem" "$R/var/lib/kubelet/pki/kubelet-client-current.pem"
install -m 0644 "$P/kubelet.crt" "$R/var/lib/kubelet/pki/kubelet.crt"
install -m 0600 "$P/kubelet.key" "$R/var/lib/kubelet/pki/kubelet.key"
# The kubeconfig the kubelet writes after TLS bootstrap; 10.0.0.10 is the guide's address: text, never dialed.
cat >"$R/etc/kubernetes/kubelet.conf" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 "$P/ca.crt")
    server: https://10.0.0.10:6443
  name: default-cluster
contexts:
- context:
    cluster: default-cluster
    namespace: default
    user: default-auth
  name: default-context
current-context: default-context
kind: Config
preferences: {}
users:
- name: default-auth
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
EOF
chmod 0600 "$R/etc/kubernetes/kubelet.conf"
# The lab's own files (network, sshd): root-owned 0644 whatever the checkout's owner is.
(cd "$HERE/layout" && find . -type f) | while read -r f; do install -D -m 0644 -o root -g root "$HERE/layout/$f" "$R/$f"; done

# A virtio-only initrd: MODULES=most is ~37 MB that TCG decompresses and udev walks on every boot.
printf 'MODULES=list\n' >"$R/etc/initramfs-tools/conf.d/nodegate-vm.conf"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' >>"$R/etc/initramfs-tools/modules"
chroot "$R" update-initramfs -u -k "$KVER" >/dev/null 2>&1 || die "update-initramfs failed in the chroot"

# --- boot files and the image ----------------------------------------------------------------------------------------
cp "$(ls "$R"/boot/vmlinuz-* | head -1)" "$WORK/out/vmlinuz"
cp "$(ls "$R"/boot/initrd.img-* | head -1)" "$WORK/out/initrd.img"
truncate -s "$IMAGE_SIZE" "$WORK/out/node.img"
mkfs.ext4 -q -F -L nodegate-vm -d "$R" "$WORK/out/node.img"
printf '{"key":"%s","kernel":"%s","built":"%s","seconds":%d}\n' "$KEY" "$KVER" "$(date -u +%FT%TZ)" \
  "$(( $(date +%s) - start ))" >"$WORK/out/build.json"
rm -rf "$OUT"
mv "$WORK/out" "$OUT"
touch "$OUT/done"
# Older images are recipes nobody builds any more.
for old in "$CACHE"/image-*; do [ "$old" = "$OUT" ] || rm -rf "$old"; done
log "image $OUT ($(du -h --apparent-size "$OUT/node.img" | cut -f1) apparent, $(du -h "$OUT/node.img" | cut -f1) used) in $(( $(date +%s) - start )) s"
echo "$OUT"
