// The probe pods' manifests: each passes Pod Security "restricted" as the Kubernetes documentation defines it, the
// guide's pods keep the guide's numbers, and the marker lines the verdicts read are parsed as printed.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { bombPod, clientPod, forbiddenPod, limitsPod, markers, markerValues, policyClientPod, roleLabel, seccompPod, webPod } from '../../src/evaluate/live/pods.ts';
import { rcOf } from '../../src/evaluate/live/observe-pod.ts';

/**
 * The "Restricted" policy's controls, from https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * (Profile Details → Restricted): volume types limited to configMap, csi, downwardAPI, emptyDir, ephemeral,
 * persistentVolumeClaim, projected, secret; allowPrivilegeEscalation false; runAsNonRoot true (pod or every
 * container); runAsUser not 0; seccompProfile RuntimeDefault or Localhost (pod or every container); capabilities
 * drop ALL and add only NET_BIND_SERVICE. Baseline's privileged and hostPath controls are implied.
 */
function restrictedViolations(pod: V1Pod): string[] {
  const v: string[] = [];
  const spec = pod.spec;
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const vol of spec?.volumes ?? []) {
    const types = Object.keys(vol).filter((k) => k !== 'name');
    if (types.some((t) => !allowedVolumes.includes(t))) v.push(`volume ${vol.name} of type ${types.join()}`);
  }
  if (spec?.hostNetwork || spec?.hostPID || spec?.hostIPC) v.push('host namespaces');
  const psc = spec?.securityContext;
  for (const c of spec?.containers ?? []) {
    const sc = c.securityContext;
    if (sc?.privileged) v.push(`${c.name}: privileged`);
    if (sc?.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation`);
    if (!(sc?.runAsNonRoot ?? psc?.runAsNonRoot)) v.push(`${c.name}: runAsNonRoot`);
    if ((sc?.runAsUser ?? psc?.runAsUser) === 0) v.push(`${c.name}: runAsUser 0`);
    const seccomp = sc?.seccompProfile?.type ?? psc?.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${c.name}: seccompProfile ${seccomp ?? 'unset'}`);
    if (!(sc?.capabilities?.drop ?? []).includes('ALL')) v.push(`${c.name}: capabilities not dropped`);
    const added = (sc?.capabilities?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
    if (added.length) v.push(`${c.name}: adds ${added.join()}`);
  }
  return v;
}

const img = 'busybox:1.36';
const probes: readonly V1Pod[] = [
  webPod('web', 'nginx:1.25-alpine'),
  clientPod('client', img, 'nodegate-web', 'nodegate-x', 'cluster.local'),
  policyClientPod('blocked', 'blocked', img, 'http://nodegate-web/'),
  policyClientPod('restored', 'restored', img, 'http://nodegate-web/', 5),
  bombPod('memory-bomb', 'polinux/stress:1.0.4', 20),
  limitsPod('limits', img),
  seccompPod('seccomp', img, 'profiles/web-app.json'),
];

describe('probe pods', () => {
  test.each(probes.map((p) => [p.metadata?.name ?? '', p] as const))('%s passes Pod Security restricted, runs once, is labelled with its role, is removed within 1 s', (_name, pod) => {
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.spec?.restartPolicy).toBe('Never');
    // The run waits for its namespace to be gone: a PID 1 that ignores SIGTERM must not hold it for the default 30 s.
    expect(pod.spec?.terminationGracePeriodSeconds).toBe(1);
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.metadata?.labels?.[roleLabel]).toBeTruthy();
  });

  test('the checker itself refuses what restricted refuses (so the case above can fail)', () => {
    expect(restrictedViolations(forbiddenPod('hostpath', img))).toEqual(expect.arrayContaining(['volume host of type hostPath']));
    expect(restrictedViolations(forbiddenPod('privileged', img))).toEqual(expect.arrayContaining(['c: privileged', 'c: allowPrivilegeEscalation', 'c: runAsNonRoot']));
  });

  test('the web pod is the guide\'s nginx-test: uid 101, NET_BIND_SERVICE only, 64Mi/100m → 128Mi/200m', () => {
    const c = webPod('web', 'nginx:1.25-alpine').spec?.containers[0];
    expect(c?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 101, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c?.resources).toEqual({ requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '128Mi', cpu: '200m' } });
  });

  test('the memory bomb is the guide\'s: limit 200Mi, request 100Mi, stress --vm 1 --vm-bytes 500M, bounded by --timeout', () => {
    const c = bombPod('memory-bomb', 'polinux/stress:1.0.4', 20).spec?.containers[0];
    expect(c?.resources?.limits?.['memory']).toBe('200Mi');
    expect(c?.resources?.requests?.['memory']).toBe('100Mi');
    expect(c?.command?.[2]).toBe('exec stress --vm 1 --vm-bytes 500M --vm-hang 1 --timeout 20s');
  });

  test('the limits pod asks for 128Mi/200m: memory.max 134217728 (128 × 2^20), cpu.max quota 20000 of period 100000', () => {
    // cpu.max = quota period, quota = millicores × period / 1000 (kubelet's MilliCPUToQuota with the 100 ms period).
    expect(limitsPod('limits', img).spec?.containers[0]?.resources?.limits).toEqual({ memory: '128Mi', cpu: '200m' });
    expect(128 * 2 ** 20).toBe(134217728);
    expect((200 * 100000) / 1000).toBe(20000);
  });

  test('the seccomp pod uses localhost/<profile> at pod level', () => {
    expect(seccompPod('s', img, 'profiles/web-app.json').spec?.securityContext?.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/web-app.json' });
  });
});

describe('marker lines', () => {
  const log = [
    'Server:\t\t10.96.0.10',
    'NODEGATE dns-cluster rc=0',
    'wget: download timed out',
    'NODEGATE http rc=1',
    'NODEGATE http rc=0',
    'NODEGATE status Uid:\t101\t101\t101\t101',
    'NODEGATE status CapEff:\t0000000000000400',
    'NODEGATE cpu.max 20000 100000',
    'NODEGATE broken',
    '',
  ].join('\n');

  test('the last value per key; status lines keyed by their field', () => {
    const m = markers(log);
    expect(rcOf(m.get('dns-cluster'))).toBe(0);
    expect(rcOf(m.get('http'))).toBe(0);
    expect(m.get('status Uid')).toBe('101\t101\t101\t101');
    expect(m.get('status CapEff')).toBe('0000000000000400');
    expect(m.get('cpu.max')).toBe('20000 100000');
    expect(m.has('broken')).toBe(false);
  });

  test('every attempt of a retried request, in order; a malformed rc is undefined', () => {
    expect(markerValues(log, 'http').map(rcOf)).toEqual([1, 0]);
    expect(rcOf('rc=')).toBeUndefined();
    expect(rcOf(undefined)).toBeUndefined();
  });
});

describe('the client script (run by a real POSIX shell, with stub nslookup and wget)', () => {
  test('an nslookup that exits 0 without a "Name:" answer is not resolved; wget\'s "bad address" fails the short name', () => {
    const bin = mkdtempSync(join(tmpdir(), 'nodegate-stub-'));
    try {
      // kubernetes.default resolves; the Service's full name gets NXDOMAIN with exit 0; wget cannot resolve the short name.
      writeFileSync(join(bin, 'nslookup'), '#!/bin/sh\ncase "$1" in kubernetes.*) printf "Name:\\t%s\\nAddress: 10.96.0.1\\n" "$1";; *) echo "** server can\'t find $1: NXDOMAIN";; esac\nexit 0\n');
      writeFileSync(join(bin, 'wget'), '#!/bin/sh\nfor a; do last=$a; done\ncase "$last" in https://*) echo "wget: server returned error: HTTP/1.1 401 Unauthorized"; exit 1;; http://nodegate-web/) echo "wget: bad address \'nodegate-web\'"; exit 1;; *) exit 0;; esac\n');
      chmodSync(join(bin, 'nslookup'), 0o755);
      chmodSync(join(bin, 'wget'), 0o755);
      const script = clientPod('client', img, 'nodegate-web', 'nodegate-x', 'cluster.local').spec?.containers[0]?.command?.[2] ?? '';
      const out = execFileSync('sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
      const m = markers(out);
      expect(Object.fromEntries(['dns-cluster', 'dns-short', 'dns-full', 'api-tls', 'http'].map((k) => [k, rcOf(m.get(k))]))).toEqual({ 'dns-cluster': 0, 'dns-short': 1, 'dns-full': 1, 'api-tls': 0, http: 0 });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the client script runs its five probes concurrently (real sh, stubs that meet at a barrier)', () => {
  test('every probe has started before any ends, and each probe\'s output stays beside its marker', () => {
    const bin = mkdtempSync(join(tmpdir(), 'nodegate-stub-'));
    try {
      // Each stub registers, then waits (up to 10 s) until all five have: run one after another, the first one
      // alone would give up and say so. Its output names the stub's argument so the grouping can be checked.
      const stub = `#!/bin/sh\nfor a; do last=$a; done\ntouch "${bin}/started.$$"\ni=0; while [ "$(ls "${bin}" | grep -c '^started')" -lt 5 ]; do i=$((i+1)); [ $i -lt 100 ] || { echo "alone: $last"; exit 1; }; sleep 0.1; done\necho "Name: saw $last"\nexit 0\n`;
      for (const tool of ['nslookup', 'wget']) {
        writeFileSync(join(bin, tool), stub);
        chmodSync(join(bin, tool), 0o755);
      }
      const script = clientPod('client', img, 'nodegate-web', 'nodegate-x', 'cluster.local', '10.96.0.42').spec?.containers[0]?.command?.[2] ?? '';
      const out = execFileSync('sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, encoding: 'utf8' });
      expect(out).not.toContain('alone');
      const lines = out.trim().split('\n');
      // Each marker follows its own probe's output line (one printf per probe, however the jobs finish).
      const before = (marker: string): string | undefined => lines[lines.findIndex((l) => l.startsWith(marker)) - 1];
      expect(before('NODEGATE dns-cluster ')).toBe('Name: saw kubernetes.default.svc.cluster.local');
      expect(before('NODEGATE dns-full ')).toBe('Name: saw nodegate-web.nodegate-x.svc.cluster.local');
      expect(before('NODEGATE dns-short ')).toBe('Name: saw http://nodegate-web/');
      expect(before('NODEGATE api-tls ')).toBe('Name: saw https://10.96.0.1:443/healthz');
      expect(before('NODEGATE http ')).toBe('Name: saw http://10.96.0.42/');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the policy client script (real sh, stub wget)', () => {
  function runWith(wget: string, pod: V1Pod): string {
    const bin = mkdtempSync(join(tmpdir(), 'nodegate-stub-'));
    try {
      writeFileSync(join(bin, 'wget'), `#!/bin/sh\n${wget}\n`);
      writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, 'wget'), 0o755);
      chmodSync(join(bin, 'sleep'), 0o755);
      return execFileSync('sh', ['-c', pod.spec?.containers[0]?.command?.[2] ?? ''], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  test('blocked: stops at the first failed request and keeps wget\'s words; a policy not enforced shows 3 successes', () => {
    const blocked = runWith('echo "wget: download timed out"; exit 1', policyClientPod('blocked', 'blocked', img, 'http://nodegate-web/'));
    expect(markerValues(blocked, 'http').map(rcOf)).toEqual([1]);
    expect(blocked).toMatch(/wget: download timed out/);
    expect(markerValues(runWith('exit 0', policyClientPod('blocked', 'blocked', img, 'http://nodegate-web/')), 'http').map(rcOf)).toEqual([0, 0, 0]);
  });

  test('restored: retries a failing request up to 5 times, stops at the first success', () => {
    expect(markerValues(runWith('exit 1', policyClientPod('restored', 'restored', img, 'http://nodegate-web/', 5)), 'http').map(rcOf)).toEqual([1, 1, 1, 1, 1]);
    expect(markerValues(runWith('exit 0', policyClientPod('restored', 'restored', img, 'http://nodegate-web/', 5)), 'http').map(rcOf)).toEqual([0]);
  });
});
