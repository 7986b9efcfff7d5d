// The cluster live run reads the node it runs on: the kubelet's effective clusterDomain (the layers the KUBELET
// checks use, /configz on top) names NET-5.2.x's DNS names, and the node's own seccomp profile decides what
// SEC-4.2.5's denied unshare(2) must look like (errnoRet / defaultErrnoRet, or SIGSYS). Both say where they came from.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { runLiveChecks, type LiveCheckOptions, type LiveReport } from '../../src/evaluate/live/index.ts';
import { clusterDomainOf, liveInputsOf, seccompDenialOf, type LiveInputs } from '../../src/evaluate/live/inputs.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { liveStateOf, type RunLive } from '../../src/run/live.ts';
import { observeNodes, type OpenTarget, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';
import { liveScenario } from '../support/fake-apiserver-live.ts';
import { liveTestOptions, useFakeCluster } from '../support/fake-live.ts';
import { healthy, nodeName } from '../support/fake-apiserver-scenarios.ts';
import { drift, file, missing } from '../support/facts.ts';
import { compliantConfig, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = profileSchema.parse(defaultProfile);
const profilePath = '/var/lib/kubelet/seccomp/profiles/web-app.json';
const kubeletConfig = '/var/lib/kubelet/config.yaml';
/** The guide's web-app.json (fixtures/guide/PROVENANCE.md): SCMP_ACT_ERRNO by default, no errnoRet, no unshare rule. */
const guideProfile = readFileSync(new URL('../../fixtures/guide/web-app.json', import.meta.url), 'utf8');

const withKubeletConfig = (config: string): NodeFacts => drift(kubeletCompliantFacts(), { files: { [kubeletConfig]: file(config, 0o600) } });
const withProfile = (text: string): NodeFacts => drift(kubeletCompliantFacts(), { files: { [profilePath]: file(text) } });
const configz = (c: ClusterFacts, kubeletconfig: Record<string, unknown>): ClusterFacts => withFacts(c, (m) => void (m.configz = { ok: true, value: { kubeletconfig }, attempts: 1 }));

let cluster: ClusterFacts;
beforeAll(async () => {
  cluster = await gatherScenario(healthy());
});

describe("clusterDomain: the kubelet's effective value", () => {
  test('from the --config file, naming it', () => {
    const d = clusterDomainOf({ facts: withKubeletConfig(compliantConfig.replace('clusterDomain: cluster.local', 'clusterDomain: corp.example')) });
    expect(d).toEqual({ value: 'corp.example', from: `the kubelet's clusterDomain (file:${kubeletConfig})` });
  });
  test('/configz on top wins over the file (the running kubelet), as for the KUBELET checks', () => {
    const d = clusterDomainOf({ facts: withKubeletConfig(compliantConfig), cluster: configz(cluster, { clusterDomain: 'running.example' }) });
    expect(d).toEqual({ value: 'running.example', from: "the kubelet's clusterDomain (configz)" });
  });
  test('a --cluster-domain flag wins over the file', () => {
    const facts = withKubeletConfig(compliantConfig);
    const argv = (facts.commands['kubelet-cmdline'] as { stdout: string }).stdout.replace(/\n\n$/, '\n--cluster-domain=flag.example\n\n');
    const d = clusterDomainOf({ facts: drift(facts, { commands: { 'kubelet-cmdline': { state: 'ran', exitCode: 0, stdout: argv, stderr: '' } } }) });
    expect(d.value).toBe('flag.example');
    expect(d.from).toMatch(/^the kubelet's clusterDomain \(cmdline/);
  });
  test('unset: the kubelet has no default, so cluster.local is assumed and the message says pods get no search domain', () => {
    const d = clusterDomainOf({ facts: withKubeletConfig(compliantConfig.replace('clusterDomain: cluster.local\n', '')) });
    expect(d.value).toBe('cluster.local');
    expect(d.from).toMatch(/^assumed: the kubelet sets no clusterDomain \(default/);
  });
  test('a kubelet configuration that cannot be read: assumed, naming why', () => {
    const d = clusterDomainOf({ facts: drift(kubeletCompliantFacts(), { files: { [kubeletConfig]: missing } }) });
    expect(d.value).toBe('cluster.local');
    expect(d.from).toContain(`assumed: the kubelet's configuration cannot be read (${kubeletConfig} does not exist`);
  });
  test('the node unobserved: /configz alone still answers; with neither it is assumed', () => {
    expect(clusterDomainOf({ cluster: configz(cluster, { clusterDomain: 'api.example' }) })).toEqual({ value: 'api.example', from: "the kubelet's clusterDomain (configz)" });
    expect(clusterDomainOf({}).from).toBe("assumed: neither the node's kubelet configuration nor /configz was read");
  });
});

describe("SEC-4.2.5's denial: what the node's profile answers unshare(2) with", () => {
  test("the guide's profile: its default SCMP_ACT_ERRNO without errnoRet is EPERM", () => {
    expect(seccompDenialOf(withProfile(guideProfile), profile)).toEqual({ kind: 'errno', errno: 1, text: 'Operation not permitted', from: `defaultAction SCMP_ACT_ERRNO of ${profilePath}` });
  });
  test('defaultErrnoRet 38: ENOSYS, "Function not implemented"', () => {
    const text = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
    expect(seccompDenialOf(withProfile(text), profile)).toMatchObject({ kind: 'errno', errno: 38, text: 'Function not implemented' });
  });
  test("the denying rule's own errnoRet wins over the default", () => {
    const text = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] });
    expect(seccompDenialOf(withProfile(text), profile)).toEqual({ kind: 'errno', errno: 13, text: 'Permission denied', from: `syscalls[1] SCMP_ACT_ERRNO of ${profilePath}` });
  });
  test('SCMP_ACT_KILL_PROCESS: killed by SIGSYS', () => {
    expect(seccompDenialOf(withProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_KILL_PROCESS' })), profile)).toMatchObject({ kind: 'signal', action: 'SCMP_ACT_KILL_PROCESS' });
  });
  test('a profile that allows unshare, or is not JSON: unknown, with the reason', () => {
    expect(seccompDenialOf(withProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' })), profile)).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('allows unshare(2)') as unknown });
    expect(seccompDenialOf(withProfile('{not json'), profile)).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('the profile is not JSON') as unknown });
  });
  test('not on the node, or the node unobserved: EPERM assumed, and said', () => {
    expect(seccompDenialOf(drift(kubeletCompliantFacts(), { files: { [profilePath]: missing } }), profile)).toMatchObject({ kind: 'errno', errno: 1, from: expect.stringMatching(/^assumed EPERM: .* is not on the node/) as unknown });
    expect(seccompDenialOf(undefined, profile)).toMatchObject({ kind: 'errno', errno: 1, from: expect.stringMatching(/^assumed EPERM: the node was not observed/) as unknown });
  });
});

describe('liveStateOf hands the node-read inputs to the live run', () => {
  test('the facts and cluster facts the run observed become clusterDomain and the errno, with their sources', async () => {
    const facts = drift(withKubeletConfig(compliantConfig.replace('clusterDomain: cluster.local', 'clusterDomain: file.example')), { files: { [profilePath]: file(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 })) } });
    // The running kubelet (/configz, read through the API beside the probe) is the top layer.
    const running = configz(cluster, { clusterDomain: 'corp.example' });
    const seen: LiveInputs[] = [];
    const runLive: RunLive = async (_s, _n, _p, inputs) => {
      seen.push(inputs);
      return { verdicts: {} as LiveReport['verdicts'], runId: 'r', namespace: 'nodegate-r', swept: undefined, cleanupFailures: [] };
    };
    await liveStateOf({ live: true, env: {} }, undefined, nodeName, profile, runLive, { facts, cluster: running });
    expect(seen).toEqual([liveInputsOf({ facts, cluster: running }, profile)]);
    expect(seen[0]?.clusterDomain).toEqual({ value: 'corp.example', from: "the kubelet's clusterDomain (configz)" });
    expect(seen[0]?.seccomp).toMatchObject({ kind: 'errno', errno: 38, text: 'Function not implemented' });
  });
});

describe('observeNodes passes what it observed to the live run', () => {
  test("a node whose probe failed: the kubelet's /configz (read through the API beside it) still gives clusterDomain; the errno is said to be assumed", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nodegate-live-inputs-observe-'));
    try {
      // A transport whose probe prints nothing: the node is unobserved, its cluster side is not.
      const emptyProbe: OpenTarget = async (spec) => ({ label: spec.kind, roundTrips: 0, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: async () => {} });
      const read: ReadCluster = async (_settings, _replay, node) => ({ kind: 'observed', facts: { ...configz(cluster, { clusterDomain: 'corp.example' }), node } });
      const seen: LiveInputs[] = [];
      const runLive: RunLive = async (_s, _n, _p, inputs) => {
        seen.push(inputs);
        return { verdicts: {} as LiveReport['verdicts'], runId: 'r', namespace: 'nodegate-r', swept: undefined, cleanupFailures: [] };
      };
      await observeNodes(await resolveSettings({ target: ['local'], node: ['a'], live: true }, {}, cwd), profile, emptyProbe, read, runLive);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.clusterDomain).toEqual({ value: 'corp.example', from: "the kubelet's clusterDomain (configz)" });
      expect(seen[0]?.seccomp).toMatchObject({ kind: 'errno', errno: 1, from: expect.stringMatching(/^assumed EPERM: the node was not observed/) as unknown });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('through the fixture API server: the verdicts use and name the inputs', () => {
  const startCluster = useFakeCluster('nodegate-live-inputs-');

  async function live(over: Partial<LiveCheckOptions>): Promise<LiveReport> {
    // The fixture's unshare prints busybox's EPERM line: "unshare: unshare(0x10000000): Operation not permitted".
    const { kubelet, kc } = await startCluster(liveScenario('healthy'));
    return runLiveChecks(kc, { ...liveTestOptions, kubeletUrl: kubelet?.url, ...over });
  }

  test("EPERM read from the guide's profile: SEC-4.2.5 passes, saying which rule; NET-5.2.x name the domain's source", async () => {
    const inputs = liveInputsOf({ facts: drift(withKubeletConfig(compliantConfig.replace('clusterDomain: cluster.local', 'clusterDomain: corp.example')), { files: { [profilePath]: file(guideProfile) } }) }, profile);
    const r = await live({ clusterDomain: inputs.clusterDomain.value, clusterDomainFrom: inputs.clusterDomain.from, seccomp: inputs.seccomp });
    expect(r.verdicts['SEC-4.2.5']).toMatchObject({ status: 'pass', message: `the denial matches defaultAction SCMP_ACT_ERRNO of ${profilePath}` });
    expect(r.verdicts['SEC-4.2.5'].expected).toContain(`unshare(2) fails with "Operation not permitted" (errno 1, from defaultAction SCMP_ACT_ERRNO of ${profilePath})`);
    expect(r.verdicts['NET-5.2.1'].source).toBe(`pod ${r.namespace}/client: nslookup kubernetes.default.svc.corp.example (clusterDomain corp.example: the kubelet's clusterDomain (file:${kubeletConfig}))`);
    expect(r.verdicts['NET-5.2.2'].expected).toBe('nodegate-web resolves by short and full name');
    expect(r.verdicts['NET-5.2.2'].source).toContain('nodegate-web.' + r.namespace + '.svc.corp.example');
  });
  test("a profile whose errno is ENOSYS: the pod's EPERM is something else refusing, SEC-4.2.5 fails naming the profile's rule", async () => {
    const r = await live({ seccomp: { kind: 'errno', errno: 38, text: 'Function not implemented', from: `defaultAction SCMP_ACT_ERRNO of ${profilePath}` } });
    expect(r.verdicts['SEC-4.2.5'].status).toBe('fail');
    expect(r.verdicts['SEC-4.2.5'].message).toMatch(/^unshare\(2\) failed, but not with the profile's errno \("Function not implemented", defaultAction SCMP_ACT_ERRNO of/);
  });
  test('a SIGSYS profile: an unshare that exits 1 with EPERM is not its denial', async () => {
    const r = await live({ seccomp: { kind: 'signal', action: 'SCMP_ACT_KILL_PROCESS', from: `defaultAction SCMP_ACT_KILL_PROCESS of ${profilePath}` } });
    expect(r.verdicts['SEC-4.2.5']).toMatchObject({ status: 'fail', actual: 'HTTP answered; unshare failed (exit 1)' });
  });
  test('a denial nodegate cannot name: an error, never a pass', async () => {
    const r = await live({ seccomp: { kind: 'unknown', reason: `${profilePath} allows unshare(2)` } });
    expect(r.verdicts['SEC-4.2.5'].status).toBe('error');
  });
  test('without inputs the defaults are said to be assumed', async () => {
    const r = await live({});
    expect(r.verdicts['NET-5.2.1'].source).toContain("(clusterDomain cluster.local: assumed: the kubelet's configuration was not given to the live run)");
    expect(r.verdicts['SEC-4.2.5'].expected).toContain('assumed EPERM');
  });
});
