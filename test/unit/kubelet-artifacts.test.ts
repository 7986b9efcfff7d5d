// The real kubelet unit files, env files, config files and /configz dumps in fixtures/artifacts, read in place,
// and the guide's own heredocs: each parses, and the verdicts are the ones a person reading them would give.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { kubeletEvaluators } from '../../src/evaluate/kubelet/index.ts';
import { effectiveConfig } from '../../src/kubelet/effective.ts';
import { kubeletService } from '../../src/kubelet/systemd-unit.ts';
import { parseKubeletConfig } from '../../src/kubelet/config-file.ts';
import { formatTyped } from '../../src/kubelet/fields.ts';
import type { DirFact, FileFact } from '../../src/facts/types.ts';
import { file, missing, ran } from '../support/facts.ts';
import { kdrift, kubeletCompliantFacts, type WithRunner } from '../support/kubelet-facts.ts';

const artifacts = fileURLToPath(new URL('../../fixtures/artifacts/', import.meta.url));
const guideDir = fileURLToPath(new URL('../../fixtures/guide/', import.meta.url));
const read = (rel: string) => readFileSync(artifacts + rel, 'utf8');
const profile = profileSchema.parse(defaultProfile);
const judge = (id: string, facts: WithRunner) => kubeletEvaluators[id]!(facts, profile);

/** The guide's `sudo tee PATH <<EOF ... EOF` heredocs, each cut into fixtures/guide/ as the file it writes. */
const guideFiles: Readonly<Record<string, string>> = {
  '/etc/systemd/system/kubelet.service.d/20-hardening.conf': '20-hardening.conf',
  '/var/lib/kubelet/config.yaml': 'kubelet-config.yaml',
};
function guideHeredoc(path: string): string {
  const name = guideFiles[path];
  if (!name) throw new Error(`fixtures/guide/ holds no copy of the guide's heredoc for ${path}`);
  return readFileSync(guideDir + name, 'utf8');
}

const lib = '/lib/systemd/system';
const etc = '/etc/systemd/system';
const cfg = '/var/lib/kubelet/config.yaml';

/**
 * A kubeadm worker laid out from the packages' real files, the kubelet not running so systemd's own assembly
 * decides the command line; `extra` adds or replaces files (and /etc drop-ins).
 */
function packagedNode(options: { dropIn?: string; envFile?: [string, string]; flags?: string; config?: string; etcDropIns?: Record<string, string> } = {}): WithRunner {
  const files: Record<string, FileFact> = {
    [`${lib}/kubelet.service`]: file(read('kubelet-systemd/kubernetes-release-kubepkg-deb-kubelet.service'), 0o600),
    '/usr/lib/systemd/system/kubelet.service': missing,
    [`${lib}/kubelet.service.d/10-kubeadm.conf`]: file(options.dropIn ?? read('kubelet-systemd/kubernetes-release-kubepkg-deb-10-kubeadm.conf'), 0o600),
    '/etc/default/kubelet': missing,
    '/etc/sysconfig/kubelet': missing,
    '/var/lib/kubelet/kubeadm-flags.env': file(options.flags ?? read('kubelet-config/kubeadm-v1.32-worker-k8s-w1-kubeadm-flags.env')),
    [cfg]: file(options.config ?? read('kubelet-config/kubeadm-v1.32-controlplane-rocky10-var-lib-kubelet-config.yaml'), 0o600),
  };
  const [envPath, envText] = options.envFile ?? ['/etc/default/kubelet', read('kubelet-systemd/kubernetes-release-latest-kubelet.env')];
  files[envPath] = file(envText);
  const etcEntries = Object.keys(options.etcDropIns ?? {});
  for (const [name, text] of Object.entries(options.etcDropIns ?? {})) files[`${etc}/kubelet.service.d/${name}`] = file(text, 0o600);
  const dirs: Record<string, DirFact> = {
    [`${lib}/kubelet.service.d`]: { state: 'present', entries: ['10-kubeadm.conf'] },
    '/usr/lib/systemd/system/kubelet.service.d': { state: 'missing' },
    [`${etc}/kubelet.service.d`]: etcEntries.length ? { state: 'present', entries: etcEntries } : { state: 'missing' },
  };
  return kdrift(kubeletCompliantFacts(), { files, dirs, commands: { 'kubelet-cmdline': ran('# pid: none\n') } });
}

/**
 * The same node with containerd 1.7, which does not implement the CRI RuntimeConfig call: the kubelet's own
 * cgroupDriver decides RT-2.2.4 (with containerd 2.x and kubelet 1.31 the driver comes from containerd instead).
 */
const onContainerd17 = (facts: WithRunner): WithRunner =>
  kdrift(facts, {
    commands: { 'containerd-version': ran('containerd github.com/containerd/containerd v1.7.29 abc\n'), 'ctr-version': ran('Client:\n  Version:  v1.7.29\n\nServer:\n  Version:  v1.7.29\n') },
  });

describe('real kubelet unit and env files (fixtures/artifacts/kubelet-systemd)', () => {
  it("the Debian package's unit + 10-kubeadm.conf + kubeadm's flags build kubeadm's command line", () => {
    const eff = effectiveConfig(packagedNode());
    expect(eff.commandLine?.origin).toBe('systemd');
    expect(eff.commandLine?.args).toEqual([
      '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
      '--kubeconfig=/etc/kubernetes/kubelet.conf',
      '--config=/var/lib/kubelet/config.yaml',
      '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
      '--node-ip=192.168.10.101',
      '--pod-infra-container-image=registry.k8s.io/pause:3.10',
    ]);
    expect(eff.blocking).toEqual([]);
  });

  it('the kubeadm v1.32 config with 10-kubeadm.conf passes 3.3.4, 3.3.5, 3.3.6 and 3.3.7 (0s means the 4h default)', () => {
    const facts = packagedNode();
    for (const id of ['KUBELET-3.3.4', 'KUBELET-3.3.5', 'KUBELET-3.3.6', 'KUBELET-3.3.7', 'KUBELET-3.3.11', 'KUBELET-3.3.17', 'RT-2.2.4']) {
      expect(judge(id, facts).status, id).toBe('pass');
    }
    expect(judge('KUBELET-3.3.7', facts).actual).toBe(`streamingConnectionIdleTimeout = 4h0m0s (file:${cfg}: streamingConnectionIdleTimeout: 0s → the kubelet's default 4h0m0s)`);
    // kubeadm's file does not carry the guide's hardening or reservations.
    for (const id of ['KUBELET-3.3.2', 'KUBELET-3.3.3', 'KUBELET-3.4.1', 'KUBELET-3.4.3']) expect(judge(id, facts).status, id).toBe('fail');
    expect(judge('KUBELET-3.3.1', facts).actual).toBe('readOnlyPort = 0 (v1beta1 default)');
  });

  it("the current template reads /etc/sysconfig/kubelet (the RPM path): its KUBELET_EXTRA_ARGS counts there", () => {
    const facts = packagedNode({ dropIn: read('kubelet-systemd/kubernetes-release-latest-10-kubeadm.conf'), envFile: ['/etc/sysconfig/kubelet', 'KUBELET_EXTRA_ARGS=--read-only-port=10255\n'] });
    const v = judge('KUBELET-3.3.1', facts);
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('$KUBELET_EXTRA_ARGS from /etc/sysconfig/kubelet:1');
  });

  it("the cy-gu hand-edited drop-in (Unicode quotes) parses; systemd's warning is kept; its cgroupfs flags break RT-2.2.4", () => {
    const facts = packagedNode({ dropIn: read('kubelet-systemd/cy-gu-user-modified-etc-systemd-10-kubeadm.conf'), flags: read('kubelet-config/cy-gu-kubeadm-flags.env') });
    const svc = kubeletService(facts);
    expect(svc.warnings.join('\n')).toContain('invalid environment assignment "”cgroup-driver=systemd/cgroup-driver=cgroupfs”"');
    expect(svc.argv.map((w) => w.word)).toContain('--resolv-conf=/run/systemd/resolve/resolv.conf');
    const v = judge('RT-2.2.4', onContainerd17(facts));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the kubelet uses cgroupfs (cmdline)');
    // With containerd 2.1 and kubelet 1.31 the kubelet asks containerd instead, and the flag no longer matters.
    expect(judge('RT-2.2.4', facts)).toMatchObject({ status: 'pass', message: expect.stringContaining('Its own cgroupDriver (cgroupfs (cmdline') });
    expect(v.message).toContain('$KUBELET_KUBEADM_ARGS from /var/lib/kubelet/kubeadm-flags.env:1');
  });

  it("the guide's exact trap: 20-hardening.conf + the package's /etc/default/kubelet → 3.3.16 fails naming /etc/default/kubelet", () => {
    const facts = packagedNode({ etcDropIns: { '20-hardening.conf': guideHeredoc('/etc/systemd/system/kubelet.service.d/20-hardening.conf') } });
    const v = judge('KUBELET-3.3.16', facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('$KUBELET_EXTRA_ARGS from /etc/default/kubelet:1 sets KUBELET_EXTRA_ARGS= (empty)');
    expect(v.message).toContain('The file whose KUBELET_EXTRA_ARGS wins is /etc/default/kubelet');
    expect(v.actual).toBe('missing from the command line: --protect-kernel-defaults=true --event-qps=5 --read-only-port=0');
    // And so the settings the drop-in meant to set stay at kubeadm's file and the defaults.
    expect(judge('KUBELET-3.3.2', facts).status).toBe('fail');
    expect(judge('KUBELET-3.3.3', facts).actual).toBe('eventRecordQPS = 50 (v1beta1 default)');
  });

  it('the trap avoided (the hardening flags in /etc/default/kubelet itself) passes 3.3.16 and 3.3.1–3.3.3', () => {
    const facts = packagedNode({
      envFile: ['/etc/default/kubelet', 'KUBELET_EXTRA_ARGS="--protect-kernel-defaults=true --event-qps=5 --read-only-port=0"\n'],
      etcDropIns: { '20-hardening.conf': guideHeredoc('/etc/systemd/system/kubelet.service.d/20-hardening.conf') },
    });
    // 20-hardening.conf's own assignment still loses to the env file, which now carries the same flags: they reach.
    const v = judge('KUBELET-3.3.16', facts);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('The flags reach the kubelet, but not from /etc/systemd/system/kubelet.service.d/20-hardening.conf');
    expect(v.message).toContain('/etc/default/kubelet');
    for (const id of ['KUBELET-3.3.1', 'KUBELET-3.3.2', 'KUBELET-3.3.3']) expect(judge(id, facts).status, id).toBe('pass');
  });

  it("the guide's `tee config.yaml` → 3.3.17 lists every kubeadm setting lost, while the reservations pass", () => {
    const facts = packagedNode({ config: guideHeredoc('/var/lib/kubelet/config.yaml') });
    const v = judge('KUBELET-3.3.17', facts);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('lost: cgroupDriver, clusterDNS, clusterDomain, authentication.x509.clientCAFile, authentication.webhook.enabled, authorization.mode (0 of 6 kept)');
    expect(v.message).toContain('pods get no cluster DNS server');
    for (const id of ['KUBELET-3.4.1', 'KUBELET-3.4.2', 'KUBELET-3.4.3', 'KUBELET-3.4.4', 'KUBELET-3.4.5']) expect(judge(id, facts).status, id).toBe('pass');
    expect(judge('KUBELET-3.3.6', facts).status).toBe('fail');
    expect(judge('RT-2.2.4', onContainerd17(facts)).message).toContain('the kubelet uses cgroupfs (default)');
  });
});

describe('real kubelet config files (fixtures/artifacts/kubelet-config)', () => {
  for (const name of ['joneconsulting-kubeadm-var-lib-kubelet-config.yaml', 'kubeadm-v1.32-controlplane-rocky10-var-lib-kubelet-config.yaml', 'eks-al2023-ip-192-168-2-21-etc-kubernetes-kubelet-config.json']) {
    it(`${name} parses as a KubeletConfiguration`, () => {
      expect(parseKubeletConfig(read(`kubelet-config/${name}`)).ok).toBe(true);
    });
  }
  it("the older kubeadm file's cgroupfs disagrees with a systemd containerd (RT-2.2.4)", () => {
    const v = judge('RT-2.2.4', onContainerd17(packagedNode({ config: read('kubelet-config/joneconsulting-kubeadm-var-lib-kubelet-config.yaml') })));
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`the kubelet uses cgroupfs (file:${cfg})`);
  });
  it("EKS's JSON config: read-only port off, but two TLS_RSA suites fail 3.3.13", () => {
    const facts = packagedNode({ config: read('kubelet-config/eks-al2023-ip-192-168-2-21-etc-kubernetes-kubelet-config.json') });
    expect(judge('KUBELET-3.3.1', facts).status).toBe('pass');
    expect(judge('KUBELET-3.3.2', facts).status).toBe('pass');
    const v = judge('KUBELET-3.3.13', facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_256_GCM_SHA384 are not in');
    expect(judge('KUBELET-3.4.5', facts).message).toContain('maxPods is 17');
  });
});

describe('real /configz dumps (fixtures/artifacts/configz)', () => {
  const configz = (name: string) => JSON.parse(read(`configz/${name}`)) as object;
  it('the kubeadm worker: /configz wins over the node files and omitted fields are zero', () => {
    const eff = effectiveConfig(packagedNode({ config: guideHeredoc('/var/lib/kubelet/config.yaml') }), { configz: configz('kubeadm-worker1-cri-dockerd-configz.json') });
    expect(eff.setting('cgroupDriver')).toMatchObject({ winner: { label: 'configz' }, value: { type: 'string', value: 'systemd' } });
    expect(formatTyped(eff.setting('streamingConnectionIdleTimeout').value)).toBe('4h0m0s');
    expect(formatTyped(eff.setting('readOnlyPort').value)).toBe('0');
    expect(eff.setting('readOnlyPort').winner.raw).toBe('readOnlyPort omitted (zero value)');
    expect(formatTyped(eff.setting('maxPods').value)).toBe('110');
  });
  it("the EKS node's kubeReserved reads as typed quantities", () => {
    const eff = effectiveConfig(packagedNode(), { configz: configz('eks-ip-10-0-48-35-configz-kubeReserved.json') });
    const kr = eff.setting('kubeReserved');
    expect(kr.winner.label).toBe('configz');
    expect(kr.value).toMatchObject({ type: 'map', value: { cpu: '550m', memory: '8362Mi' } });
    expect(formatTyped(eff.setting('maxPods').value)).toBe('737');
    expect(formatTyped(eff.setting('protectKernelDefaults').value)).toBe('true');
  });
});
