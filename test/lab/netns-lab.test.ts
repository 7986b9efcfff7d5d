// The namespace lab itself: each node must look like its own machine over real SSH, and leave nothing behind.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable, startLab } from '../support/netns-lab.ts';
import type { Lab, LabNode } from '../support/netns-lab.ts';

const avail = labAvailable();
const baseHosts = readFileSync(fileURLToPath(new URL('../../fixtures/lab/base/root/etc/hosts', import.meta.url)), 'utf8');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function ssh(node: LabNode, user: string, command: string): Promise<Ran> {
  const args = [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `UserKnownHostsFile=${node.knownHostsFile}`,
    '-o', 'ConnectTimeout=5',
    '-i', node.identityFile,
    `${user}@${node.address}`,
    command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

const netnsNames = async (): Promise<string[]> =>
  (await sh('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('ng-'));

const bridgeExists = async (): Promise<boolean> => (await sh('ip', ['-br', 'link'])).split('\n').some((l) => l.startsWith('ngbr0 '));

/** Live processes whose command line names the lab dir (sshd -f, unshare, node-init, the socket stand-in). */
function labProcesses(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

async function expectTornDown(lab: Lab, names: string[]): Promise<void> {
  const left = await netnsNames();
  for (const n of names) expect(left).not.toContain(`ng-${n}`);
  // Another lab may legitimately be up on this machine; the bridge goes with the last node, and stays while any is up.
  expect({ otherNodes: left, bridge: await bridgeExists() }).toEqual({ otherNodes: left, bridge: left.length > 0 });
  let procs = labProcesses(lab.dir);
  for (let i = 0; i < 50 && procs.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    procs = labProcesses(lab.dir);
  }
  expect(procs).toEqual([]);
}

describe.skipIf(!avail.ok)(`namespace lab${avail.ok ? '' : ` — skipped: ${avail.reason}`}`, () => {
  const specs = [
    { name: 'nl-base', variant: 'base', hostname: 'worker-01', socket: '660:root:root' },
    { name: 'nl-hostname', variant: 'wrong-hostname', hostname: 'ubuntu-server', socket: '660:root:root' },
    { name: 'nl-sock', variant: 'socket-0666', hostname: 'worker-01', socket: '666:root:root' },
  ];
  let lab: Lab;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    lab = await startLab(specs.map(({ name, variant }) => ({ name, variant })));
    startMs = performance.now() - t0;
  });

  afterAll(async () => {
    await lab?.stop();
  });

  const node = (name: string): LabNode => {
    const n = lab.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no lab node ${name}`);
    return n;
  };

  it('gives every node its own address in 10.250.0.0/24 and reports a root ssh target', () => {
    expect(lab.nodes.map((n) => n.name)).toEqual(specs.map((s) => s.name));
    const addrs = lab.nodes.map((n) => n.address);
    expect(new Set(addrs).size).toBe(3);
    for (const n of lab.nodes) {
      expect(n.address).toMatch(/^10\.250\.0\.\d+$/);
      expect(n.target).toBe(`ssh://root@${n.address}`);
      expect(n.netns).toBe(`ng-${n.name}`);
    }
    console.log(`namespace lab: 3 nodes up and accepting TCP in ${startMs.toFixed(0)} ms`);
  });

  for (const s of specs) {
    it(`${s.variant}: answers over SSH as its own node`, async () => {
      const r = await ssh(
        node(s.name),
        'root',
        'hostname; echo ---; cat /etc/hosts; echo ---; stat -c %a:%U:%G /run/containerd/containerd.sock; ' +
          'test -S /run/containerd/containerd.sock && echo socket; sysctl -n net.ipv4.ip_forward; ' +
          'test -e /run/systemd/system && echo systemd || echo no-systemd; findmnt -n -o FSTYPE /run',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const [hostname, hosts, rest] = r.stdout.split('---\n');
      expect(hostname?.trim()).toBe(s.hostname);
      expect(hosts).toBe(baseHosts);
      expect(rest?.trim().split('\n')).toEqual([s.socket, 'socket', '1', 'no-systemd', 'tmpfs']);
    });
  }

  it('sees the node kernel config with overlay and br_netfilter as modules', async () => {
    const r = await ssh(node('nl-base'), 'root', 'grep -E "^CONFIG_(MODULES|OVERLAY_FS|BRIDGE_NETFILTER)=" /boot/config-$(uname -r)');
    expect(r.stdout.trim().split('\n').sort()).toEqual(['CONFIG_BRIDGE_NETFILTER=m', 'CONFIG_MODULES=y', 'CONFIG_OVERLAY_FS=m']);
  });

  it('gives ngaudit passwordless sudo and makes ngpw need a password', async () => {
    const audit = await ssh(node('nl-base'), 'ngaudit', 'id -u; sudo -n id -u');
    expect(audit.code).toBe(0);
    expect(audit.stdout.trim().split('\n')).toEqual(['2901', '0']);
    const pw = await ssh(node('nl-base'), 'ngpw', 'sudo -n id -u');
    expect(pw.code).not.toBe(0);
    expect(pw.stderr).toContain('a password is required');
  });

  it('lets a fix replace /etc files by rename on one node without touching the others or the host', async () => {
    const hostHosts = readFileSync('/etc/hosts', 'utf8');
    const edit = await ssh(node('nl-sock'), 'root', "sed -i '$a 10.0.0.99 lab-edit' /etc/hosts && tail -n1 /etc/hosts");
    expect(edit.stderr).toBe('');
    expect(edit.stdout.trim()).toBe('10.0.0.99 lab-edit');
    const other = await ssh(node('nl-base'), 'root', 'cat /etc/hosts');
    expect(other.stdout).toBe(baseHosts);
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostHosts);
  });

  it('tears everything down on stop: no netns, no bridge, no process', async () => {
    await lab.stop();
    await expectTornDown(lab, specs.map((s) => s.name));
  });
});

describe.skipIf(!avail.ok)('namespace lab at scale', () => {
  it('brings up 20 nodes that all answer over SSH, and tears them down', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `nl-scale${i + 1}`);
    const t0 = performance.now();
    const lab = await startLab(names.map((name) => ({ name, variant: 'base' })));
    const upMs = performance.now() - t0;
    try {
      const answers = await Promise.all(lab.nodes.map((n) => ssh(n, 'root', 'hostname; ip -4 -o addr show dev eth0')));
      lab.nodes.forEach((n, i) => {
        expect(answers[i]?.stdout).toContain('worker-01');
        expect(answers[i]?.stdout).toContain(` ${n.address}/24 `);
      });
    } finally {
      const t1 = performance.now();
      await lab.stop();
      console.log(`namespace lab: 20 nodes up in ${upMs.toFixed(0)} ms, down in ${(performance.now() - t1).toFixed(0)} ms`);
    }
    await expectTornDown(lab, names);
    expect(upMs).toBeLessThan(60_000);
  }, 120_000);
});
