// RT-2.2.1–2.2.3 over every real containerd config in fixtures/artifacts (program dumps, documentation, the
// files distributions ship) and over the guide's own edits of them: the verdicts a person reading them would give.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { readContainerdConfig } from '../../src/parse/containerd-config.ts';
import { compliantFacts, drift, file, ran } from '../support/facts.ts';

const dir = fileURLToPath(new URL('../../fixtures/artifacts/containerd/', import.meta.url));
const guideAppendPath = fileURLToPath(new URL('../../fixtures/guide/containerd-config-append.toml', import.meta.url));
const profile = profileSchema.parse(defaultProfile);
const cfg = profile.containerd.configPath;
const read = (name: string) => readFileSync(dir + name, 'utf8');
/** containerd loads a file by its own release's rules: Docker's containerd.io file is judged as containerd 1.7 reads it. */
const releaseOf = (name: string): string => /\d+\.\d+\.\d+/.exec(name)?.[0] ?? '1.7.29';
const judge = (id: string, text: string, name = 'containerd-2.1.5') =>
  runtimeEvaluators[id]!(drift(compliantFacts(), { files: { [cfg]: file(text) }, commands: { 'containerd-version': ran(`containerd github.com/containerd/containerd v${releaseOf(name)} abc\n`) } }), profile);

const v2Options = '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]';
const v3Options = '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]';

interface Expectation {
  readonly version: 1 | 2 | 3;
  readonly cri: 'pass' | 'fail';
  /** RT-2.2.3 always fails on these files; what its actual field says. */
  readonly cgroupActual: string;
}

const artifacts: Readonly<Record<string, Expectation>> = {
  'containerd-1.6.20-debian-default.toml': { version: 2, cri: 'pass', cgroupActual: 'SystemdCgroup = false (line 125)' },
  'containerd-1.7.24-debian13-default.toml': { version: 2, cri: 'pass', cgroupActual: 'SystemdCgroup = false (line 139)' },
  'containerd-1.7.34-docs-cri-config-full-v2.toml': { version: 2, cri: 'pass', cgroupActual: 'SystemdCgroup = false (line 272)' },
  'containerd-2.0.11-docs-cri-config-full-v3.toml': { version: 3, cri: 'pass', cgroupActual: `${v3Options} (line 70) has no SystemdCgroup (default false)` },
  'containerd-2.1.9-debian-sid-default.toml': { version: 3, cri: 'pass', cgroupActual: 'SystemdCgroup = false (line 108)' },
  'containerd-2.3.4-docs-cri-config-full-v3.toml': { version: 3, cri: 'pass', cgroupActual: `${v3Options} (line 76) has no SystemdCgroup (default false)` },
  'containerd.io-2.1.5-rocky10-config-default.toml': { version: 3, cri: 'pass', cgroupActual: 'SystemdCgroup = false (line 108)' },
  'debian-containerd-1.6.20-shipped-etc-config.toml': { version: 2, cri: 'pass', cgroupActual: `no ${v2Options.slice(0, -1)}] table` },
  'debian-containerd-1.7.24-shipped-etc-config.toml': { version: 2, cri: 'pass', cgroupActual: `no ${v2Options.slice(0, -1)}] table` },
  'debian-containerd-2.1.9-shipped-etc-config.toml': { version: 2, cri: 'pass', cgroupActual: `no ${v2Options.slice(0, -1)}] table` },
  'docker-containerd.io-etc-containerd-config.toml': { version: 1, cri: 'fail', cgroupActual: 'no [plugins.cri.containerd.runtimes.runc.options] table' },
};

describe('real containerd configs (fixtures/artifacts/containerd)', () => {
  for (const [name, want] of Object.entries(artifacts)) {
    describe(name, () => {
      const text = read(name);
      it(`parses as config version ${want.version}`, () => {
        const r = readContainerdConfig(text);
        expect(r.ok && r.config.version).toBe(want.version);
        expect(judge('RT-2.2.1', text, name).status).toBe('pass');
      });
      it(`RT-2.2.2 ${want.cri}s`, () => {
        expect(judge('RT-2.2.2', text, name).status).toBe(want.cri);
      });
      it('RT-2.2.3 fails: runc does not use the systemd cgroup driver', () => {
        const v = judge('RT-2.2.3', text, name);
        expect(v.status).toBe('fail');
        expect(v.actual).toBe(want.cgroupActual);
      });
    });
  }

  it("Docker's shipped file fails RT-2.2.2 naming the line", () => {
    const v = judge('RT-2.2.2', read('docker-containerd.io-etc-containerd-config.toml'), 'docker-containerd.io');
    expect(v.actual).toBe('disabled_plugins = ["cri"] (line 15)');
    expect(v.message).toContain(`lists "cri", which disables containerd's CRI plugin`);
  });

  it("Debian's shipped v2 file has no runc options table", () => {
    const v = judge('RT-2.2.3', read('debian-containerd-2.1.9-shipped-etc-config.toml'));
    expect(v.message).toContain(`(version = 2) has no ${v2Options.slice(0, -1)}] table, so runc keeps the default SystemdCgroup = false`);
  });

  it("the guide's sed on a 1.7 or 2.x dump makes RT-2.2.3 pass", () => {
    for (const name of ['containerd-1.7.24-debian13-default.toml', 'containerd.io-2.1.5-rocky10-config-default.toml']) {
      const text = read(name).replace(/SystemdCgroup = false/g, 'SystemdCgroup = true');
      expect(judge('RT-2.2.3', text).status, name).toBe('pass');
    }
  });
});

/** The heredoc the guide's "Performance Tuning" step appends with `tee -a`, byte for byte (fixtures/guide/PROVENANCE.md). */
function guideAppend(): string {
  return readFileSync(guideAppendPath, 'utf8');
}

describe("the guide's Performance Tuning append", () => {
  it('on a 1.7 dump: RT-2.2.1 fails naming both lines, 2.2.2 and 2.2.3 become errors', () => {
    const text = read('containerd-1.7.24-debian13-default.toml') + guideAppend();
    const v = judge('RT-2.2.1', text);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe(`table ${v2Options} is defined twice: lines 128 and 293`);
    expect(v.message).toContain('containerd refuses to start');
    for (const id of ['RT-2.2.2', 'RT-2.2.3']) {
      expect(judge(id, text)).toMatchObject({ status: 'error', message: `${cfg} does not parse: see RT-2.2.1` });
    }
  });

  it('after the sed on a 1.6 dump too: the first definition is line 114', () => {
    const text = read('containerd-1.6.20-debian-default.toml').replace(/SystemdCgroup = false/g, 'SystemdCgroup = true') + guideAppend();
    expect(judge('RT-2.2.1', text).actual).toMatch(/is defined twice: lines 114 and \d+$/);
  });

  it('on a 2.x (version 3) dump: it parses, but the appended v2 table does nothing', () => {
    const text = read('containerd.io-2.1.5-rocky10-config-default.toml') + guideAppend();
    expect(judge('RT-2.2.1', text).status).toBe('pass');
    const v = judge('RT-2.2.3', text);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('SystemdCgroup = false (line 108)');
    const header = read('containerd.io-2.1.5-rocky10-config-default.toml').split('\n').length + 1;
    expect(v.message).toContain(`${v2Options} (line ${header}) sets SystemdCgroup = true (line ${header + 1}) but is the config version 2 name`);
    expect(v.message).toContain('containerd ignores it');
  });

  it("on Debian's shipped file it adds the missing table and RT-2.2.3 passes", () => {
    const text = read('debian-containerd-1.6.20-shipped-etc-config.toml') + guideAppend();
    expect(judge('RT-2.2.1', text).status).toBe('pass');
    expect(judge('RT-2.2.3', text).status).toBe('pass');
  });
});
