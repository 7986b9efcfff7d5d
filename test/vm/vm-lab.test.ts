// Proves the VM lab is a real node (systemd, containerd, modprobe, swap, AppArmor, seccomp) and that its scenarios
// leave the states the kubelet and security suites are tested against.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startVm, stepTimer, vmLabAvailable, vmSh as sh, type Vm } from '../support/vm-lab.ts';

const lab = vmLabAvailable();
const skipReason = lab.ok ? '' : ` (skipped: ${lab.reason})`;
/** First boot on a cold cache runs debootstrap (~4-5 min, download-bound) before the ~30 s boot. */
const bootTimeout = 15 * 60_000;
const { timings, timed } = stepTimer();



/** The kubelet's argv as the kernel has it, or null when it is not running. */
async function kubeletArgv(vm: Vm): Promise<string[] | null> {
  const out = await sh(vm, `pid=$(systemctl show -p MainPID --value kubelet); [ "$pid" -gt 0 ] && tr '\\0' '\\n' </proc/$pid/cmdline || true`);
  return out === '' ? null : out.split('\n');
}

/** What a runner sees through the slirp forward: a listener answers HTTP; a closed guest port gives EOF, no byte. */
function probeHttp(port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let data = '';
    sock.setTimeout(5000);
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.0\r\n\r\n'));
    sock.on('data', (d) => (data += d.toString()));
    sock.on('close', () => resolve(data));
    sock.on('timeout', () => sock.destroy());
    sock.on('error', () => resolve(data));
  });
}

afterAll(() => {
  if (Object.keys(timings).length > 0) console.info(`VM lab timings (s): ${JSON.stringify(timings)}`);
});

describe.skipIf(!lab.ok)(`VM lab: a kubeadm worker as built${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await timed('build+boot (plain)', () => startVm());
    timings['boot-to-ssh (plain)'] = vm.bootSeconds;
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('systemd is PID 1, the system is running and no unit failed', async () => {
    const state = await sh(vm, 'systemctl is-system-running --wait || true');
    const failed = await sh(vm, 'systemctl list-units --failed --no-legend --plain');
    expect(failed).toBe('');
    expect(state).toBe('running');
    expect(await sh(vm, 'cat /proc/1/comm')).toBe('systemd');
  }, 120_000);

  test('systemd builds the kubelet command line from the unit, 10-kubeadm.conf and kubeadm-flags.env', async () => {
    const execStart = await sh(vm, 'systemctl show kubelet -p ExecStart');
    expect(execStart).toContain(
      'argv[]=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS',
    );
    const dropIns = await sh(vm, 'systemctl show kubelet -p DropInPaths --value');
    expect(dropIns).toBe('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
    // Right after boot systemd may still be starting the kubelet: wait (bounded) for a main process to read.
    let argv = await kubeletArgv(vm);
    for (let i = 0; i < 30 && argv === null; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      argv = await kubeletArgv(vm);
    }
    expect(argv).toEqual([
      '/usr/bin/kubelet',
      '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
      '--kubeconfig=/etc/kubernetes/kubelet.conf',
      '--config=/var/lib/kubelet/config.yaml',
      '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
      '--pod-infra-container-image=registry.k8s.io/pause:3.10',
    ]);
  });

  test('the kubelet stand-in listens on 10250 and, as kubeadm config has no readOnlyPort, not on 10255', async () => {
    for (let i = 0; i < 15 && !(await sh(vm, "ss -Hltn 'sport = :10250'")); i++) await new Promise((r) => setTimeout(r, 1000));
    const listeners = await sh(vm, 'ss -Hltnp');
    expect(listeners).toMatch(/\*:10250\s.*"kubelet"/);
    expect(listeners).not.toMatch(/:10255\s/);
    expect(await sh(vm, 'systemctl is-active kubelet; systemctl is-enabled kubelet')).toBe('active\nenabled');
    // Through the forward, the secure port accepts (no TLS from the stand-in) and the read-only port gives nothing.
    expect(await probeHttp(vm.kubeletPorts.readOnly)).toBe('');
  });

  test('the kubeadm files are where kubeadm leaves them, with its modes, and the packages are held', async () => {
    const stat = await sh(
      vm,
      `stat -c '%a %U:%G %n' /lib/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d/10-kubeadm.conf \
        /etc/default/kubelet /var/lib/kubelet /var/lib/kubelet/kubeadm-flags.env /var/lib/kubelet/config.yaml \
        /etc/kubernetes/kubelet.conf /etc/kubernetes/pki/ca.crt`,
    );
    expect(stat.split('\n')).toEqual([
      '644 root:root /lib/systemd/system/kubelet.service',
      '644 root:root /etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
      '644 root:root /etc/default/kubelet',
      '700 root:root /var/lib/kubelet',
      '644 root:root /var/lib/kubelet/kubeadm-flags.env',
      '644 root:root /var/lib/kubelet/config.yaml',
      '600 root:root /etc/kubernetes/kubelet.conf',
      '644 root:root /etc/kubernetes/pki/ca.crt',
    ]);
    expect(await sh(vm, 'cat /etc/default/kubelet')).toBe('KUBELET_EXTRA_ARGS=');
    expect(await sh(vm, 'grep server: /etc/kubernetes/kubelet.conf')).toBe('server: https://10.0.0.10:6443');
    // The kubeconfig embeds the same CA the kubelet trusts for clients.
    expect(
      await sh(vm, `grep certificate-authority-data /etc/kubernetes/kubelet.conf | awk '{print $2}' | base64 -d | cmp - /etc/kubernetes/pki/ca.crt && echo same`),
    ).toBe('same');
    expect((await sh(vm, 'apt-mark showhold')).split('\n').sort()).toEqual(['kubeadm', 'kubectl', 'kubelet']);
    expect(await sh(vm, 'dpkg -S /usr/bin/kubelet')).toBe('kubelet: /usr/bin/kubelet');
  });

  test('containerd is active, its socket is 0660 root:root and ctr gets the daemon version', async () => {
    expect(await sh(vm, 'systemctl is-active containerd')).toBe('active');
    expect(await sh(vm, "stat -c '%a %U:%G %F' /run/containerd/containerd.sock")).toBe('660 root:root socket');
    expect(await sh(vm, 'ctr version')).toMatch(/Server:\s+Version:\s+1\.6\.\d+/);
  });

  test('modprobe loads overlay and br_netfilter from the node kernel', async () => {
    expect(await sh(vm, 'lsmod | grep -c br_netfilter || true')).toBe('0');
    await sh(vm, 'modprobe overlay && modprobe br_netfilter');
    const mods = await sh(vm, "lsmod | awk '{print $1}'");
    expect(mods.split('\n')).toEqual(expect.arrayContaining(['overlay', 'br_netfilter']));
    expect(await sh(vm, 'sysctl -n net.bridge.bridge-nf-call-iptables')).toMatch(/^[01]$/);
  });

  test('swap goes on and off for real', async () => {
    const out = await sh(
      vm,
      `dd if=/dev/zero of=/t.swap bs=1M count=32 status=none && chmod 600 /t.swap && mkswap /t.swap >/dev/null &&
       swapon /t.swap && grep -c /t.swap /proc/swaps; swapoff /t.swap && grep -c /t.swap /proc/swaps; rm -f /t.swap`,
    );
    expect(out.split('\n')).toEqual(['1', '0']);
  });

  test('AppArmor is loaded and the kernel has seccomp filters', async () => {
    expect(await sh(vm, 'aa-status')).toMatch(/apparmor module is loaded/);
    expect(await sh(vm, 'cat /sys/module/apparmor/parameters/enabled')).toBe('Y');
    const config = await sh(vm, 'grep -E "^CONFIG_SECCOMP(_FILTER)?=" /boot/config-$(uname -r)');
    expect(config.split('\n')).toEqual(['CONFIG_SECCOMP=y', 'CONFIG_SECCOMP_FILTER=y']);
  });

  test('a boot-option scenario refuses to run on a VM not booted with it', async () => {
    await expect(vm.applyScenario('drift-apparmor-off')).rejects.toThrow(/kernelArgs: 'apparmor=0'/);
  });

  describe('the guide, literally', () => {
    beforeAll(async () => {
      await timed('scenario guide-literal', () => vm.applyScenario('guide-literal', { timeoutMs: 180_000 }));
    }, 240_000);

    test('containerd fails to restart: the performance append duplicates a TOML table', async () => {
      expect(await sh(vm, 'systemctl is-active containerd || true')).not.toBe('active');
      const journal = await sh(vm, 'journalctl -u containerd --no-pager -b -o cat | tail -n 30');
      expect(journal).toMatch(/io\.containerd\.grpc\.v1\.cri.*runtimes\.runc\.options|already (exists|defined)|duplicate/i);
    });

    test('the hardening drop-in is shadowed: /etc/default/kubelet wins KUBELET_EXTRA_ARGS', async () => {
      expect(await sh(vm, 'systemctl show kubelet -p DropInPaths --value')).toContain('20-hardening.conf');
      expect(await sh(vm, 'systemctl show kubelet -p Environment --value')).toContain('KUBELET_EXTRA_ARGS=--protect-kernel-defaults=true');
      expect(await sh(vm, 'systemctl show kubelet -p EnvironmentFiles --value')).toContain('/etc/default/kubelet');
    });

    test('the kubelet cannot start: its runtime is down, and its config lost kubeadm\'s settings', async () => {
      const show = await sh(vm, 'systemctl show kubelet -p Result -p ExecMainStatus');
      expect(show).toContain('Result=exit-code');
      expect(show).toContain('ExecMainStatus=1');
      expect(await sh(vm, 'journalctl -u kubelet --no-pager -b -o cat | tail -n 5')).toMatch(/validate CRI v1 runtime API/);
      const cfg = await sh(vm, 'cat /var/lib/kubelet/config.yaml');
      expect(cfg).toContain('maxPods: 110');
      expect(cfg).not.toMatch(/cgroupDriver|clusterDNS|clientCAFile/);
    });

    test('with containerd repaired the kubelet runs without the shadowed flags', async () => {
      // Drop the appended table (the guide's last heredoc) and restart: the kubelet comes up, and the flags of
      // 20-hardening.conf never reach it.
      await sh(vm, `set -e; tail -n 1 /etc/containerd/config.toml | grep -qx '  NoNewKeyring = false'
        head -n -6 /etc/containerd/config.toml > /tmp/c.toml && cat /tmp/c.toml > /etc/containerd/config.toml
        systemctl restart containerd && systemctl restart kubelet
        for i in $(seq 15); do ss -Hltn 'sport = :10250' | grep -q . && break; sleep 1; done`);
      const argv = await kubeletArgv(vm);
      expect(argv).not.toBeNull();
      expect(argv?.join(' ')).not.toContain('--protect-kernel-defaults');
    });

    test('unshadowed, protectKernelDefaults stops the kubelet with the kubelet\'s message', async () => {
      await sh(vm, `echo 'KUBELET_EXTRA_ARGS="--protect-kernel-defaults=true --event-qps=5 --read-only-port=0"' >/etc/default/kubelet
        systemctl restart kubelet
        for i in $(seq 30); do journalctl -u kubelet -b -o cat | grep -q 'Failed to start ContainerManager' && break; sleep 1; done`);
      const journal = await sh(vm, 'journalctl -u kubelet --no-pager -b -o cat | tail -n 3');
      expect(journal).toMatch(/"Failed to start ContainerManager" err="\[invalid kernel flag: vm\/overcommit_memory, expected value: 1, actual value: 0/);
      expect(await sh(vm, 'systemctl show kubelet -p ExecMainStatus --value')).toBe('1');
    });
  });
});

describe.skipIf(!lab.ok)(`VM lab: the guide with its traps avoided, then drifts${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await timed('build+boot (traps avoided)', () => startVm());
    await timed('scenario guide-traps-avoided', () => vm.applyScenario('guide-traps-avoided', { timeoutMs: 180_000 }));
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('kubelet and containerd run with the merged config, protectKernelDefaults on and kernel defaults set', async () => {
    expect(await sh(vm, 'systemctl is-active kubelet containerd')).toBe('active\nactive');
    expect(await sh(vm, 'sysctl -n vm.overcommit_memory kernel.panic kernel.panic_on_oops')).toBe('1\n10\n1');
    const cfg = await sh(vm, 'cat /var/lib/kubelet/config.yaml');
    expect(cfg).toMatch(/^cgroupDriver: systemd$/m);
    expect(cfg).toMatch(/^protectKernelDefaults: true$/m);
    expect(await sh(vm, "stat -c '%a' /var/lib/kubelet/config.yaml /etc/systemd/system/kubelet.service.d/10-kubeadm.conf")).toBe('600\n600');
    expect(await sh(vm, "ss -Hltn | awk '{print $4}' | grep -c ':10255$' || true")).toBe('0');
  });

  test('drift-dropin-644 makes the kubeadm drop-in world-readable', async () => {
    await timed('scenario drift-dropin-644', () => vm.applyScenario('drift-dropin-644'));
    expect(await sh(vm, "stat -c '%a' /etc/systemd/system/kubelet.service.d/10-kubeadm.conf")).toBe('644');
  });

  test('drift-readonly-port-cmdline: 10255 in the file, 0 on the command line, nothing listens', async () => {
    await timed('scenario drift-readonly-port-cmdline', () => vm.applyScenario('drift-readonly-port-cmdline'));
    expect(await sh(vm, "grep '^readOnlyPort:' /var/lib/kubelet/config.yaml")).toBe('readOnlyPort: 10255');
    expect(await kubeletArgv(vm)).toContain('--read-only-port=0');
    expect(await sh(vm, "ss -Hltn | awk '{print $4}' | grep -c ':10255$' || true")).toBe('0');
    expect(await probeHttp(vm.kubeletPorts.readOnly)).toBe('');
  });

  test('the stand-in opens the read-only port when the file asks and no flag overrides it', async () => {
    await sh(vm, `cp /etc/default/kubelet /tmp/kubelet.env && echo KUBELET_EXTRA_ARGS= >/etc/default/kubelet
      systemctl restart kubelet; for i in $(seq 15); do ss -Hltn 'sport = :10255' | grep -q . && break; sleep 1; done`);
    expect(await probeHttp(vm.kubeletPorts.readOnly)).toMatch(/^HTTP\/1\.1 200 OK/);
    await sh(vm, `cat /tmp/kubelet.env >/etc/default/kubelet && systemctl restart kubelet
      for i in $(seq 15); do ss -Hltn 'sport = :10250' | grep -q . && break; sleep 1; done`);
  });

  test('drift-streaming-timeout-zero puts the flag on the command line and leaves kubeadm\'s 0s in the file', async () => {
    await timed('scenario drift-streaming-timeout-zero', () => vm.applyScenario('drift-streaming-timeout-zero'));
    expect(await kubeletArgv(vm)).toEqual(expect.arrayContaining(['--read-only-port=0', '--streaming-connection-idle-timeout=0']));
    expect(await sh(vm, "grep '^streamingConnectionIdleTimeout:' /var/lib/kubelet/config.yaml")).toBe('streamingConnectionIdleTimeout: 0s');
  });

  test('drift-unknown-syscall adds "pread" to the profile', async () => {
    await timed('scenario drift-unknown-syscall', () => vm.applyScenario('drift-unknown-syscall'));
    const profile = JSON.parse(await sh(vm, 'cat /var/lib/kubelet/seccomp/profiles/web-app.json')) as {
      syscalls: { names: string[] }[];
    };
    const names = profile.syscalls[0]?.names ?? [];
    expect(names[names.indexOf('openat') + 1]).toBe('pread');
  });

  test('swap-on: a swapfile in use and a tab-separated fstab line the guide\'s sed would miss', async () => {
    await timed('scenario swap-on', () => vm.applyScenario('swap-on'));
    expect(await sh(vm, "awk 'NR > 1 {print $1}' /proc/swaps")).toBe('/swap.img');
    expect(await sh(vm, 'grep swap.img /etc/fstab')).toBe('/swap.img\tnone\tswap\tsw\t0\t0');
    await sh(vm, "sed -i '/ swap / s/^/#/' /etc/fstab");
    expect(await sh(vm, 'grep swap.img /etc/fstab')).toBe('/swap.img\tnone\tswap\tsw\t0\t0');
  });
});

describe.skipIf(!lab.ok)(`VM lab: AppArmor off on the kernel command line${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await timed('build+boot (apparmor=0)', () => startVm({ kernelArgs: 'apparmor=0' }));
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('drift-apparmor-off: the module reports disabled and aa-status says so', async () => {
    const out = await timed('scenario drift-apparmor-off', () => vm.applyScenario('drift-apparmor-off'));
    expect(out.stdout.trim()).toBe('apparmor enabled: N');
    const aa = await vm.exec('aa-status');
    expect(aa.code).not.toBe(0);
    expect(await sh(vm, 'systemctl list-units --failed --no-legend --plain')).toBe('');
  });
});
