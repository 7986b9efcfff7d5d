// The kubelet requests compiled by the real probe compiler and run by sh on this machine, in two rounds: round
// one finds a real process named kubelet and its argv, round two reads the --config file it names and only a
// hash of its --kubeconfig; the effective configuration is then computed from those facts.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { parseProbeOutput } from '../../src/facts/probe-parse.ts';
import type { ProbeRequest } from '../../src/facts/requirements.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { kubeletCmd, kubeletFollowUps, kubeletRequests } from '../../src/facts/requirements-kubelet.ts';
import { effectiveConfig, describeDisagreement } from '../../src/kubelet/effective.ts';
import { readKubeletProcess } from '../../src/kubelet/command-line.ts';
import { formatTyped } from '../../src/kubelet/fields.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';

const profile = profileSchema.parse(defaultProfile);
let dir: string;
let child: ChildProcess;
const secretText = 'users:\n- name: default-auth\n  user:\n    client-key-data: SECRET-KEY-BYTES\n';

function runRound(requests: readonly ProbeRequest[]) {
  const script = compileProbe(requests, 'kubelet0123456789');
  const out = execFileSync('sh', ['-s'], { input: script.text, encoding: 'utf8', timeout: 30_000 });
  return { out, parsed: parseProbeOutput(out, script.marker) };
}

function asFacts(parsed: ReturnType<typeof parseProbeOutput>, base?: NodeFacts): NodeFacts {
  return {
    format: 'nodegate-facts/1',
    node: 'local',
    target: 'local',
    gatheredAt: new Date().toISOString(),
    probe: { roundTrips: base ? 2 : 1, durationMs: 0, uid: parsed.uid, sudo: parsed.sudo },
    systemd: parsed.systemd,
    files: { ...base?.files, ...parsed.files },
    dirs: { ...base?.dirs, ...parsed.dirs },
    commands: { ...base?.commands, ...parsed.commands },
    sysctls: { ...base?.sysctls, ...parsed.sysctls },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-kubelet-'));
  await writeFile(
    join(dir, 'config.yaml'),
    'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nstreamingConnectionIdleTimeout: 0s\nauthentication:\n  x509:\n    clientCAFile: ' + join(dir, 'ca.crt') + '\n',
  );
  await writeFile(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n');
  await writeFile(join(dir, 'kubelet.conf'), secretText);
  await chmod(join(dir, 'kubelet.conf'), 0o600);
  // The kernel names a process after the file it executed: a script called "kubelet" is a process "kubelet", its
  // argv starting with the interpreter (the VM lab's stand-in looks the same). Only kubelet flags follow, since
  // the model now rejects what the kubelet's flag parser would (a `-c` is an unknown shorthand).
  await writeFile(join(dir, 'kubelet'), '#!/bin/sh\nsleep 120\n');
  await chmod(join(dir, 'kubelet'), 0o755);
  child = spawn(join(dir, 'kubelet'), [`--config=${join(dir, 'config.yaml')}`, '--read-only-port=0', '--kubeconfig', join(dir, 'kubelet.conf'), '--node-labels=a b'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 100; i++) {
    const comm = await readFile(`/proc/${child.pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'kubelet') break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  // Its own process group: the sleep it started goes too.
  if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubelet probe, two rounds, on this machine', () => {
  it('round one finds the process and its argv; round two reads what it names; the secret stays a hash', (ctx) => {
    const r1 = runRound(kubeletRequests(profile));
    const round1 = asFacts(r1.parsed);
    const proc = readKubeletProcess(round1);
    expect(proc.state).toBe('running');
    const ours = proc.pid === child.pid;
    expect([proc.pid, ...proc.otherPids]).toContain(child.pid);
    // Another kubelet runs here and comes first: the rest needs ours, so say so instead of passing on nothing.
    if (!ours) ctx.skip(`another kubelet (pid ${proc.pid}) runs on this machine and comes first; the rest needs ours (pid ${child.pid})`);
    // NUL-separated argv comes back one argument per line, spaces inside an argument kept.
    expect(proc.argv).toEqual(['/bin/sh', join(dir, 'kubelet'), `--config=${join(dir, 'config.yaml')}`, '--read-only-port=0', '--kubeconfig', join(dir, 'kubelet.conf'), '--node-labels=a b']);
    // Without systemd the unit commands are recorded as skipped, not run.
    if (!round1.systemd) expect(round1.commands[kubeletCmd.show]).toMatchObject({ state: 'skipped' });

    const follow = kubeletFollowUps(round1);
    expect(follow).toEqual(
      expect.arrayContaining([
        { kind: 'file', path: join(dir, 'config.yaml') },
        { kind: 'file', path: join(dir, 'kubelet.conf'), secret: true },
      ]),
    );
    const r2 = runRound(follow);
    expect(r2.out).not.toContain('SECRET-KEY-BYTES');
    const facts = asFacts(r2.parsed, round1);
    expect(facts.files[join(dir, 'kubelet.conf')]).toMatchObject({ state: 'present', mode: 0o600 });
    expect(facts.files[join(dir, 'kubelet.conf')]).not.toHaveProperty('content');

    const eff = effectiveConfig(facts);
    expect(eff.blocking).toEqual([]);
    const port = eff.setting('readOnlyPort');
    expect(port.winner.label).toBe('cmdline');
    expect(formatTyped(port.value)).toBe('0');
    expect(describeDisagreement(port)).toContain(`file:${join(dir, 'config.yaml')}: readOnlyPort: 10255`);
    expect(formatTyped(eff.setting('streamingConnectionIdleTimeout').value)).toBe('4h0m0s');
    // The client CA is named only inside the config file, read in round two: its stat would take a third round.
    expect(kubeletFollowUps(facts)).toEqual([{ kind: 'stat', path: join(dir, 'ca.crt') }]);
  });

  it('the round-one requests compile and name every fixed place', () => {
    const requests = kubeletRequests(profile);
    const paths = requests.flatMap((r) => ('path' in r ? [r.path] : []));
    for (const p of ['/etc/systemd/system/kubelet.service.d', '/lib/systemd/system/kubelet.service.d', '/usr/lib/systemd/system/kubelet.service.d', '/run/systemd/system/kubelet.service.d', '/lib/systemd/system/kubelet.service', '/etc/default/kubelet', '/etc/sysconfig/kubelet', '/var/lib/kubelet/kubeadm-flags.env', '/var/lib/kubelet/config.yaml', '/var/lib/kube-proxy/kubeconfig.conf']) {
      expect(paths, p).toContain(p);
    }
    expect(requests.filter((r) => r.kind === 'command' && r.needsSystemd).map((r) => (r.kind === 'command' ? r.name : ''))).toEqual([kubeletCmd.show, kubeletCmd.active, kubeletCmd.enabled, kubeletCmd.journal]);
    expect(() => compileProbe(requests, 'abcdef0123456789')).not.toThrow();
  });
});
