// Secrets stay on the node, on a real systemd worker: a registry credential in containerd's config (which containerd
// then loads), proxy passwords in the kubelet's EnvironmentFile and a drop-in, and the kubelet.conf's key material
// never reach the snapshot, the JUnit file or the console of a real CLI run over SSH. Not a test file: audit-vm.test.ts
// calls defineSecretsVmTests last in its traps-avoided boot (the credentials it plants stay on that node).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';
import { vmSh as sh, type Vm } from '../support/vm-lab.ts';
import type { Snapshot } from '../../src/run/snapshot.ts';
import type { NodeFacts } from '../../src/facts/types.ts';

type Timed = <T>(label: string, fn: () => Promise<T>) => Promise<T>;
const token = (value: string): string => `<redacted sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;

const registry = { user: 'vm-robot-4471', password: 'VmRegistryPass-8c1e', legacyPassword: 'VmLegacyAuthPass-2d9a' };
const envProxy = 'http://proxyuser:VmEnvFileProxyPass-71b3@proxy.corp.example:3128';
const dropInProxy = 'http://proxyuser:VmDropInProxyPass-5e0f@proxy.corp.example:3128';
const containerdProxy = 'http://proxyuser:VmContainerdProxyPass-a4c2@proxy.corp.example:3128';

// The scenario step, run inside the VM: credentials where operators put them (containerd's docs/cri/registry.md,
// release/1.7, for registry.configs."host".auth and the deprecated registry.auths; a systemd drop-in and an
// EnvironmentFile= for proxies, as containerd's and Kubernetes' proxy setup notes show). containerd is restarted
// so the credential is one containerd really loads.
const plantSecrets = [
  'set -e',
  "cat >>/etc/containerd/config.toml <<'TOML'",
  '',
  '[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".auth]',
  `  username = "${registry.user}"`,
  `  password = "${registry.password}"`,
  '[plugins."io.containerd.grpc.v1.cri".registry.auths."legacy.example.com"]',
  `  username = "${registry.user}"`,
  `  password = "${registry.legacyPassword}"`,
  'TOML',
  `echo 'HTTPS_PROXY=${envProxy}' >>/etc/default/kubelet`,
  'install -d -m 0755 /etc/systemd/system/containerd.service.d',
  `echo 'HTTP_PROXY=${containerdProxy}' >/etc/default/containerd-proxy`,
  "printf '[Service]\\nEnvironmentFile=/etc/default/containerd-proxy\\n' >/etc/systemd/system/containerd.service.d/http-proxy.conf",
  `printf '[Service]\\nEnvironment="HTTP_PROXY=%s"\\n' '${dropInProxy}' >/etc/systemd/system/kubelet.service.d/30-http-proxy.conf`,
  'chmod 0600 /etc/systemd/system/kubelet.service.d/30-http-proxy.conf /etc/default/containerd-proxy',
  'systemctl daemon-reload',
  'systemctl restart containerd',
  'systemctl is-active containerd',
  'systemctl restart kubelet',
  '',
].join('\n');

interface Outputs {
  readonly snapshot: string;
  readonly junit: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Registers the secrets cases on a VM that `getVm()` returns, booted with guide-traps-avoided applied. */
export function defineSecretsVmTests(getVm: () => Vm, timed: Timed): void {
  describe('secrets on a VM lab node', () => {
    let run: CliResult;
    let outputs: Outputs;
    let facts: NodeFacts;
    /** Base64 of the keys and certificates in the kubelet.conf and in the client-key file it names. */
    let keyMaterial: string[];

    beforeAll(async () => {
      const vm = getVm();
      await timed('plant secrets', () => sh(vm, plantSecrets, 120_000));
      const kubeconfig = await sh(vm, 'cat /etc/kubernetes/kubelet.conf');
      const keyFile = /client-key:\s*(\S+)/.exec(kubeconfig)?.[1];
      const pem = keyFile ? await sh(vm, `cat '${keyFile}'`) : '';
      keyMaterial = [
        ...[...kubeconfig.matchAll(/(?:client-key-data|client-certificate-data|certificate-authority-data):\s*(\S+)/g)].map((m) => m[1] ?? ''),
        ...pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)),
      ].filter((s) => s.length >= 40);
      const dir = await mkdtemp(join(tmpdir(), 'ng-vm-secrets-'));
      const snapshot = join(dir, 'snapshot.json');
      const junit = join(dir, 'nodegate.xml');
      const args = ['--target', vm.target, '--identity', vm.identityFile, '--known-hosts', vm.knownHostsFile, '--node', 'worker-01'];
      run = await timed('audit (secrets planted)', () => runCli([...args, '--save-snapshot', snapshot, '--junit', junit], { timeoutMs: 180_000 }));
      outputs = { snapshot: await readFile(snapshot, 'utf8'), junit: await readFile(junit, 'utf8'), stdout: run.stdout, stderr: run.stderr };
      const node = (JSON.parse(outputs.snapshot) as Snapshot).nodes[0];
      if (!node) throw new Error(`the snapshot holds no node\n${run.stderr}`);
      facts = node;
    }, 15 * 60_000);

    test('the audit ran to a verdict (exit 0 or 1) with containerd running on the config that holds the credentials', () => {
      expect(run.exitCode, run.stderr).toBeOneOf([0, 1]);
      expect(run.stdout).toMatch(/PASS\s+RT-2\.2\.1/);
      expect(run.stdout).toMatch(/PASS\s+RT-2\.1\.1/);
    });

    test('the kubelet.conf was read as a secret: its hash, never its text', () => {
      expect(keyMaterial.length).toBeGreaterThan(0);
      expect(facts.files['/etc/kubernetes/kubelet.conf']).toMatchObject({ state: 'present', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(facts.files['/etc/kubernetes/kubelet.conf']).not.toHaveProperty('content');
    });

    test('each planted credential was read, and is stored as the hash token of its value', () => {
      const content = (path: string): string => {
        const f = facts.files[path];
        return f?.state === 'present' ? (f.content ?? '') : '';
      };
      expect(content('/etc/containerd/config.toml')).toContain(`  password = "${token(registry.password)}"`);
      expect(content('/etc/containerd/config.toml')).toContain(`  password = "${token(registry.legacyPassword)}"`);
      expect(content('/etc/default/kubelet')).toContain(`HTTPS_PROXY=${token(envProxy)}`);
      expect(content('/etc/systemd/system/kubelet.service.d/30-http-proxy.conf')).toContain(`Environment="HTTP_PROXY=${token(dropInProxy)}"`);
      const show = facts.commands['kubelet-systemctl-show'];
      expect(show?.state === 'ran' ? show.stdout : '').toContain(`HTTP_PROXY=${token(dropInProxy)}`);
    });

    test('no secret string appears in the snapshot, the JUnit file, stdout or stderr', () => {
      const secrets = [
        registry.user,
        registry.password,
        registry.legacyPassword,
        'VmEnvFileProxyPass-71b3',
        'VmDropInProxyPass-5e0f',
        'VmContainerdProxyPass-a4c2',
        ...keyMaterial,
      ];
      for (const [where, text] of Object.entries(outputs)) {
        const leaked = secrets.filter((s) => text.includes(s));
        expect({ where, leaked }).toEqual({ where, leaked: [] });
      }
    });
  });
}
