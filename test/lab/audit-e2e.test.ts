// End to end over SSH: the CLI audits every namespace-lab variant at once; each node fails exactly its drift.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { suiteAreas, suiteChecks } from '../../src/run/suite-config.ts';
import { runCli, repoRoot, type CliResult } from '../support/cli.ts';
import { readJUnit, type JUnitCase } from '../support/junit-read.ts';
import type { Snapshot } from '../../src/facts/snapshot.ts';
import { labAvailable, startLab, type Lab } from '../support/netns-lab.ts';

interface Manifest {
  unobservableInNamespace: { id: string; reason: string }[];
  unobservableAreasInNamespace: { area: string; reason: string }[];
  variants: Record<string, { fails: string[]; errors: string[] }>;
}

const manifest = JSON.parse(await readFile(join(repoRoot, 'fixtures/lab/variants.json'), 'utf8')) as Manifest;
const variants = Object.keys(manifest.variants);
const unobservableAreas = new Set(manifest.unobservableAreasInNamespace.map((u) => u.area));
const unobservable = new Set([
  ...manifest.unobservableInNamespace.map((u) => u.id),
  ...suiteChecks().filter((c) => unobservableAreas.has(c.area)).map((c) => c.id),
]);
const xsd = join(repoRoot, 'fixtures/artifacts/junit/junit-10.xsd');
const lab = labAvailable();

describe.skipIf(!lab.ok)(`namespace lab end to end${lab.ok ? '' : ` (skipped: ${lab.reason})`}`, () => {
  let nodes: Lab;
  const runs = new Map<string, { run: CliResult; cases: JUnitCase[]; junitFile: string }>();
  let fleet: { run: CliResult; cases: JUnitCase[] };
  let fleetSnapshot: string;

  const credentials = () => {
    const first = nodes.nodes[0];
    if (!first) throw new Error('lab started no node');
    return ['--identity', first.identityFile, '--known-hosts', first.knownHostsFile];
  };

  async function audit(args: string[]): Promise<{ run: CliResult; cases: JUnitCase[]; junitFile: string }> {
    const junitFile = join(await mkdtemp(join(tmpdir(), 'ng-e2e-')), 'out', 'nodegate.xml');
    const run = await runCli([...args, ...credentials(), '--junit', junitFile], { timeoutMs: 120_000 });
    const cases = existsSync(junitFile) ? readJUnit(await readFile(junitFile, 'utf8')) : [];
    return { run, cases, junitFile };
  }

  beforeAll(async () => {
    nodes = await startLab(variants.map((variant) => ({ name: `e2e-${variant}`, variant })));
    // One process per node, as a CI job per node would run it; the node name is the documented worker-01.
    for (const batch of [nodes.nodes.slice(0, 5), nodes.nodes.slice(5)]) {
      await Promise.all(batch.map(async (n) => runs.set(n.variant, await audit(['--target', n.target, '--node', 'worker-01']))));
    }
    // And the whole fleet in one process: nodes observed in parallel, one JUnit suite per node and area.
    fleetSnapshot = join(await mkdtemp(join(tmpdir(), 'ng-e2e-')), 'fleet.json');
    fleet = await audit([...nodes.nodes.flatMap((n) => ['--target', n.target, '--node', n.variant]), '--save-snapshot', fleetSnapshot]);
  }, 300_000);

  afterAll(async () => {
    await nodes?.stop();
  });

  const resultOf = (variant: string) => {
    const r = runs.get(variant);
    if (!r) throw new Error(`no run for ${variant}`);
    return r;
  };

  test.each(variants)('%s: exactly its drifted IDs fail, everything observable else passes', (variant) => {
    const expected = manifest.variants[variant];
    if (!expected) throw new Error(`no manifest entry for ${variant}`);
    const { run, cases } = resultOf(variant);
    expect(run.stderr).not.toMatch(/nodegate: /);
    expect(run.exitCode).toBe(1); // HOST-1.4.5 reads the host's shared kernel.* values: never compliant here
    expect(cases).toHaveLength(suiteChecks().length);
    const observed = cases.filter((c) => !unobservable.has(c.id));
    const ids = (status: string) => observed.filter((c) => c.status === status).map((c) => c.id).sort();
    expect({ fails: ids('fail'), errors: ids('error'), skips: ids('skip') }).toEqual({
      fails: [...expected.fails].sort(),
      errors: [...expected.errors].sort(),
      skips: [],
    });
    for (const c of observed.filter((o) => o.status === 'fail')) expect(c.message).toMatch(/Remediation: /);
  });

  test('the drift messages name what is wrong and where', () => {
    const message = (variant: string, id: string) => resultOf(variant).cases.find((c) => c.id === id)?.message ?? '';
    expect(message('fstab-tab-swap', 'HOST-1.2.2')).toMatch(/line \d+/);
    expect(message('sysctl-override', 'HOST-1.4.4')).toMatch(/net\.ipv4\.ip_forward/);
    expect(message('duplicate-runc-table', 'RT-2.2.1')).toMatch(/lines \d+ and \d+/);
    expect(message('socket-0666', 'RT-2.3.1')).toMatch(/0666/);
    expect(message('wrong-hostname', 'HOST-1.1.1')).toMatch(/worker-01/);
    expect(message('missing-hosts-line', 'HOST-1.1.2')).toMatch(/10\.0\.0\.10 control-plane/);
  });

  test('what a namespace cannot show is an error with its cause, never a pass', () => {
    const base = resultOf('base').cases.find((c) => c.id === 'RT-2.1.1');
    expect(base?.status).toBe('error');
    expect(base?.message).toMatch(/systemd/);
  });

  test.skipIf(!existsSync(xsd))('the JUnit file validates against the JUnit XSD', () => {
    for (const file of [resultOf('base').junitFile, resultOf('duplicate-runc-table').junitFile]) {
      expect(() => execFileSync('xmllint', ['--noout', '--schema', xsd, file], { stdio: 'pipe' })).not.toThrow();
    }
  });

  test('a fleet run observes every node and writes one testsuite per node and area', () => {
    expect(fleet.run.exitCode).toBe(1);
    const suites = [...new Set(fleet.cases.map((c) => c.suite))];
    expect(suites).toHaveLength(variants.length * suiteAreas.length);
    for (const v of variants) expect(suites).toEqual(expect.arrayContaining(suiteAreas.map((a) => `${v} ${a}`)));
    expect(fleet.cases).toHaveLength(variants.length * suiteChecks().length);
  });

  test('each node was read in at most two SSH exec round trips, and no secret file content was saved', async () => {
    const text = await readFile(fleetSnapshot, 'utf8');
    const saved = JSON.parse(text) as Snapshot;
    expect(saved.nodes.map((n) => n.node).sort()).toEqual([...variants].sort());
    // fixtures/lab/base/root/etc/default/kubelet holds a proxy password on every node, and the probe reads that file
    // (the kubeadm drop-in's EnvironmentFile=): the facts keep the line with the value's hash, never the value.
    const password = 'LabProxyPass-3f9d1c';
    const proxy = `http://labproxy:${password}@proxy.lab.example:3128`;
    const hashed = `HTTPS_PROXY=<redacted sha256:${createHash('sha256').update(proxy).digest('hex').slice(0, 8)}>`;
    for (const facts of saved.nodes) {
      expect(facts.probe.roundTrips).toBeLessThanOrEqual(2);
      expect(facts.probe.uid).toBe(0);
      const env = facts.files['/etc/default/kubelet'];
      expect(env?.state === 'present' ? env.content : env).toContain(hashed);
      // The node's real secret file exists (labs/netns/lab.sh installs it) and is never asked for.
      expect(facts.files['/etc/shadow']).toBeUndefined();
    }
    for (const [where, out] of Object.entries({ snapshot: text, junit: JSON.stringify(fleet.cases), stdout: fleet.run.stdout, stderr: fleet.run.stderr })) {
      expect({ where, leaked: out.includes(password) }).toEqual({ where, leaked: false });
    }
  });
});
