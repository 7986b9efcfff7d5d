// The RT-2.2.x verdicts against containerd's own reading of the same file: `containerd --config F config dump`
// (no daemon, no socket) shows whether the file loads and which SystemdCgroup and disabled_plugins it ends up with.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { criPluginNames, runcOptionsPath, valueAt } from '../../src/parse/containerd-config.ts';
import { compliantFacts, drift, file, notFound, ran } from '../support/facts.ts';

const dir = fileURLToPath(new URL('../../fixtures/artifacts/containerd/', import.meta.url));
const versionRun = spawnSync('containerd', ['--version'], { encoding: 'utf8' });
const installed = versionRun.status === 0;
const profile = profileSchema.parse(defaultProfile);
const guideAppend = '\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n  # Reduce CPU overhead for light workloads\n  NoPivotRoot = false\n  NoNewKeyring = false\n';

/** What containerd itself makes of a config file. */
function containerdReads(path: string): { loads: boolean; systemdCgroup: unknown; criDisabled: boolean } {
  const r = spawnSync('containerd', ['--config', path, 'config', 'dump'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return { loads: false, systemdCgroup: undefined, criDisabled: false };
  const dump = parse(r.stdout);
  const version = dump['version'] === 3 ? 3 : 2;
  const disabled = Array.isArray(dump['disabled_plugins']) ? (dump['disabled_plugins'] as unknown[]) : [];
  return {
    loads: true,
    systemdCgroup: valueAt(dump, [...runcOptionsPath[version], 'SystemdCgroup']),
    criDisabled: disabled.some((n) => typeof n === 'string' && criPluginNames.includes(n)),
  };
}

describe.skipIf(!installed)(`nodegate agrees with containerd (${installed ? versionRun.stdout.trim() : 'containerd not installed'})`, () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nodegate-ctd-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const artifact = (name: string) => readFileSync(dir + name, 'utf8');
  const sed = (t: string) => t.replace(/SystemdCgroup = false/g, 'SystemdCgroup = true');

  const cases: Record<string, () => string> = {
    'v1 file with the short plugin ID': () => '[plugins.cri.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n',
    'v1 file with the v2 plugin URI': () => '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n',
    'v2 file': () => 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n',
    'v3 file': () => "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n",
    'duplicate [plugins]': () => 'version = 2\n[plugins]\n[plugins]\n',
    '1.7 dump + guide append': () => artifact('containerd-1.7.24-debian13-default.toml') + guideAppend,
    '1.6 dump + guide sed': () => sed(artifact('containerd-1.6.20-debian-default.toml')),
    '1.6 dump + guide sed + guide append': () => sed(artifact('containerd-1.6.20-debian-default.toml')) + guideAppend,
    'Debian shipped + guide append': () => artifact('debian-containerd-1.6.20-shipped-etc-config.toml') + guideAppend,
    '2.1.5 dump + guide sed': () => sed(artifact('containerd.io-2.1.5-rocky10-config-default.toml')),
  };
  for (const name of ['containerd-1.6.20-debian-default.toml', 'containerd-1.7.24-debian13-default.toml', 'containerd-2.1.9-debian-sid-default.toml',
    'debian-containerd-1.6.20-shipped-etc-config.toml', 'docker-containerd.io-etc-containerd-config.toml', 'containerd-1.7.34-docs-cri-config-full-v2.toml']) {
    cases[name] = () => artifact(name);
  }

  for (const [label, text] of Object.entries(cases)) {
    it(label, () => {
      const path = join(work, `${label.replace(/[^a-z0-9]+/gi, '-')}.toml`);
      const content = text();
      writeFileSync(path, content);
      const truth = containerdReads(path);
      // The node runs this very containerd: its version takes part in the verdict (a v3 file on 1.x).
      const facts = drift(compliantFacts(), {
        files: { [profile.containerd.configPath]: file(content) },
        commands: { 'ctr-version': notFound, 'containerd-version': ran(versionRun.stdout) },
      });
      const verdict = (id: string) => runtimeEvaluators[id]!(facts, profile).status;
      expect(verdict('RT-2.2.1'), 'RT-2.2.1 vs containerd loading the file').toBe(truth.loads ? 'pass' : 'fail');
      if (truth.loads) {
        expect(verdict('RT-2.2.2'), 'RT-2.2.2 vs the dumped disabled_plugins').toBe(truth.criDisabled ? 'fail' : 'pass');
        expect(verdict('RT-2.2.3'), `RT-2.2.3 vs the dumped SystemdCgroup (${String(truth.systemdCgroup)})`).toBe(truth.systemdCgroup === true ? 'pass' : 'fail');
      } else {
        // containerd refused the file, so there is no loaded CRI plugin or runc option to judge: the two checks that
        // read them must say so (error), never pass on a file the daemon will not start with.
        expect([verdict('RT-2.2.2'), verdict('RT-2.2.3')], 'RT-2.2.2/2.2.3 on a file containerd refuses').toEqual(['error', 'error']);
      }
    });
  }
});
