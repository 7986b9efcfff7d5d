// containerd 1.x's TOML leniencies (go-toml v1.9.x) against 2.x's strictness (go-toml v2): a [table] reopening a
// table dotted keys defined, the same table under another header spelling, dotted keys extending a table a header
// defined, and leading zeros load on 1.6/1.7 and are refused by 2.x and TOML 1.0; the duplicate header (the
// guide's trap: the same text twice) stays refused everywhere. Each 1.x case was run through the real containerd 1.6.20
// (`containerd --config F config dump`); the agreement block below repeats that wherever containerd is installed.
// Upstream: pelletier/go-toml v1.9.5 parser.go parseGroup L140-168 ("duplicated tables" only for the same header
// text, L146-150), parseAssign L170-227 (dotted keys' tables are not headers; GetPath finds a header's table and
// assigns into it, L190-206), parseRvalue L294-326 (3+ character integer
// starting with 0 → panic("invalid base") L309); go-toml/v2 v2.2.4 as vendored by containerd v2.1.5:
// internal/tracker/seen.go L144-152 (setExplicitFlag: a dotted key's tables become explicit at the next header) and
// L215-216 ("toml: table %s already exists"), decode.go L391-392 ("leading zero not allowed on decimal number").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { parseGoTomlV1 } from '../../src/parse/containerd-go-toml-v1.ts';
import { loadContainerdConfig, type LoadOutcome } from '../../src/parse/containerd-load.ts';
import { loaderRules } from '../../src/parse/containerd-rules.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { parseTomlStrict } from '../../src/parse/toml-strict.ts';
import { compliantFacts, drift, file, ran } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const cfg = profile.containerd.configPath;
const cri = 'plugins."io.containerd.grpc.v1.cri"';

/**
 * What containerd 1.6.20 did with each file (run on this project's Debian 12 host, containerd 1.6.20~ds1-1+deb12u3):
 * `loads`, go-toml v1's own words, or `refused` where nodegate explains the refusal in the strict parser's words
 * (both lines of a key or table defined twice; containerd printed `(L, C): The following key was defined twice` /
 * `duplicated tables` for those).
 */
/** containerd's documented full 1.7 config (fixtures/artifacts/PROVENANCE.md) with dotted keys reopened on top of it. */
const fullV2 = readFileSync(new URL('../../fixtures/artifacts/containerd/containerd-1.7.34-docs-cri-config-full-v2.toml', import.meta.url), 'utf8').replace(/^version = 2\n/m, '');
const cases = {
  'a header reopening a table dotted keys defined': { text: `version = 2\n${cri}.containerd.snapshotter = "native"\n[${cri}.containerd]\ndefault_runtime_name = "runc"\n`, v1: 'loads' },
  'a header reopening a parent of dotted keys': { text: `version = 2\n${cri}.containerd.snapshotter = "native"\n[plugins]\n`, v1: 'loads' },
  'a reopened table setting a key the dotted keys set': { text: `version = 2\n${cri}.containerd.snapshotter = "native"\n[${cri}.containerd]\nsnapshotter = "overlayfs"\n`, v1: `(4, 1): The following key was defined twice: plugins.io.containerd.grpc.v1.cri.containerd.snapshotter` },
  'the reopening header twice': { text: `version = 2\n${cri}.containerd.snapshotter = "native"\n[${cri}.containerd]\n[${cri}.containerd]\n`, v1: '(4, 2): duplicated tables' },
  'the same header twice (the guide\'s trap)': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[${cri}.containerd]\n`, v1: 'refused' },
  'the same table under another spelling': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[plugins.'io.containerd.grpc.v1.cri'.containerd]\ndefault_runtime_name = "runc"\n`, v1: 'loads' },
  'the same table with spaces inside the brackets': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[ ${cri}.containerd ]\ndefault_runtime_name = "runc"\n`, v1: 'loads' },
  'another spelling setting a key twice': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[plugins.'io.containerd.grpc.v1.cri'.containerd]\nsnapshotter = "overlayfs"\n`, v1: '(5, 1): The following key was defined twice: plugins.io.containerd.grpc.v1.cri.containerd.snapshotter' },
  'a dotted key extending a table a header defined': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[${cri}]\ncontainerd.runtimes.runc.runtime_type = "io.containerd.runc.v2"\n`, v1: 'loads' },
  'a dotted key setting a key a header\'s table has': { text: `version = 2\n[${cri}.containerd]\nsnapshotter = "native"\n[${cri}]\ncontainerd.snapshotter = "overlayfs"\n`, v1: 'refused' },
  'a reopen on top of the full 1.7 config, whose own header then comes twice': { text: `version = 2\n${cri}.containerd.snapshotter = "native"\n[${cri}.containerd]\ndefault_runtime_name = "runc"\n${fullV2}`, v1: '(137, 4): duplicated tables' },
  'oom_score = 00': { text: 'version = 2\noom_score = 00\n', v1: 'loads' },
  'oom_score = 01': { text: 'version = 2\noom_score = 01\n', v1: 'loads' },
  'oom_score = -007 (signed: no base prefix)': { text: 'version = 2\noom_score = -007\n', v1: 'loads' },
  'oom_score = 0_7': { text: 'version = 2\noom_score = 0_7\n', v1: 'loads' },
  'a float 00.5 in a plugin table': { text: `version = 2\n[${cri}]\nx = 00.5\n`, v1: 'loads' },
  'oom_score = 007 (three characters: read as a base prefix)': { text: 'version = 2\noom_score = 007\n', v1: 'invalid base' },
} as const;

const source = (text: string) => ({ read: (p: string) => (p === cfg ? { kind: 'text' as const, text } : { kind: 'missing' as const }), glob: () => ({ kind: 'matches' as const, paths: [] }) });
const load = (release: string, text: string): LoadOutcome => {
  const rules = loaderRules(new semver.SemVer(release));
  if (!rules) throw new Error(`no loader rules for ${release}`);
  return loadContainerdConfig(cfg, source(text), rules);
};
const on = (release: string, text: string) => drift(compliantFacts(), { files: { [cfg]: file(text) }, commands: { 'containerd-version': ran(`containerd github.com/containerd/containerd v${release} abc\n`) } });
const rt221 = (release: string, text: string) => runtimeEvaluators['RT-2.2.1']!(on(release, text), profile);

describe('containerd 1.x (go-toml v1) loads what TOML 1.0 refuses', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.v1}`, () => {
      for (const release of ['1.6.20', '1.7.29']) {
        const o = load(release, c.text);
        if (c.v1 === 'loads') expect(o.kind, release).toBe('loaded');
        else if (c.v1 === 'refused') expect(o, release).toMatchObject({ kind: 'refused', syntax: true });
        else expect(o, release).toMatchObject({ kind: 'refused', error: `failed to load TOML: ${cfg}: ${c.v1}` });
      }
    });
  }

  it('the merged value is what go-toml v1 builds: the reopened table keeps the dotted keys and gains its own', () => {
    const r = parseGoTomlV1(cases['a header reopening a table dotted keys defined'].text);
    expect(r.ok && r.value).toEqual({ version: 2, plugins: { 'io.containerd.grpc.v1.cri': { containerd: { snapshotter: 'native', default_runtime_name: 'runc' } } } });
    expect(r.ok && r.lenient).toEqual([`line 3: [${cri}.containerd] reopens a table that dotted keys already defined`]);
  });
  it('leading zeros read as containerd 1.6.20 printed them (oom_score = 0, 1, -7, 7), lines and columns kept', () => {
    const values = ['00', '01', '-007', '0_7'].map((v) => {
      const r = parseGoTomlV1(`version = 2\noom_score = ${v} # note\n`);
      return r.ok ? r.value['oom_score'] : r;
    });
    expect(values).toEqual([0, 1, -7, 7]);
    const r = parseGoTomlV1('a = [00, 01]\nb = { c = 02 }\n');
    expect(r.ok && r.value).toEqual({ a: [0, 1], b: { c: 2 } });
    expect(r.ok && r.lenient).toEqual(['line 1: 00 has a leading zero (read as 0)', 'line 1: 01 has a leading zero (read as 1)', 'line 2: 02 has a leading zero (read as 2)']);
  });
  it('numbers inside strings, comments, keys, dates and times are not touched', () => {
    const r = parseGoTomlV1('"007" = "a 007 b"\n# 007\nd = 1979-05-27T07:32:00Z\nt = 07:32:00\n[x]\n01 = 1\n');
    expect(r.ok).toBe(true);
    expect(r.ok && r.lenient).toEqual([]);
  });
  it('a reopened table sub-tabled later by its own headers still merges', () => {
    const r = parseGoTomlV1('[x]\na.b.c = 1\n[x.a.b]\nd = 2\n[x.a.b.e]\nf = 3\n');
    expect(r.ok && r.value).toEqual({ x: { a: { b: { c: 1, d: 2, e: { f: 3 } } } } });
  });
  it('another spelling merges into the same table; a dotted key lands where go-toml v1 puts it', () => {
    const spelled = parseGoTomlV1(cases['the same table under another spelling'].text);
    expect(spelled.ok && spelled.value['plugins']).toEqual({ 'io.containerd.grpc.v1.cri': { containerd: { snapshotter: 'native', default_runtime_name: 'runc' } } });
    expect(spelled.ok && spelled.lenient).toEqual([`line 4: [${cri}.containerd] defines [${cri}.containerd] again under another spelling (line 2)`]);
    const dotted = parseGoTomlV1(cases['a dotted key extending a table a header defined'].text);
    expect(dotted.ok && dotted.value['plugins']).toEqual({ 'io.containerd.grpc.v1.cri': { containerd: { snapshotter: 'native', runtimes: { runc: { runtime_type: 'io.containerd.runc.v2' } } } } });
    expect(dotted.ok && dotted.lenient).toEqual(['line 5: containerd.runtimes.runc.runtime_type extends a table a header defined']);
  });
  it('a strict-parser problem after a reopen names the table as the file does, not nodegate\'s stand-in', () => {
    const r = parseGoTomlV1('a.b.c = 1\n[a.b]\nd = 1\nd = 2\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && 'problem' in r && r.problem.message).toBe('key a.b.d is defined twice: lines 3 and 4');
  });
});

describe('valid TOML 1.0 is read exactly as before', () => {
  it('every committed containerd config: the same value as the strict parser, nothing lenient', () => {
    const dir = new URL('../../fixtures/artifacts/containerd/', import.meta.url);
    const names = readdirSync(dir).filter((n) => n.endsWith('.toml'));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const strict = parseTomlStrict(text);
      const v1 = parseGoTomlV1(text);
      expect(strict.ok, name).toBe(true);
      expect(v1.ok && v1.lenient, name).toEqual([]);
      expect(v1.ok && v1.value, name).toEqual(strict.ok && strict.value);
    }
  });
});

describe('containerd 2.x (go-toml v2) and TOML 1.0 refuse both forms', () => {
  for (const name of ['a header reopening a table dotted keys defined', 'a header reopening a parent of dotted keys', 'the same table under another spelling', 'the same table with spaces inside the brackets', 'a dotted key extending a table a header defined', 'oom_score = 00', 'oom_score = 01', 'a float 00.5 in a plugin table'] as const) {
    it(name, () => {
      for (const release of ['2.0.7', '2.1.5']) expect(load(release, cases[name].text), release).toMatchObject({ kind: 'refused', syntax: true });
    });
  }
});

describe('RT-2.2.1 per release', () => {
  it('1.x passes a file its daemon starts with; 2.x fails the same file', () => {
    const text = cases['a header reopening a table dotted keys defined'].text;
    expect(rt221('1.6.20', text).status).toBe('pass');
    expect(rt221('2.1.5', text).status).toBe('fail');
    expect(rt221('1.7.29', 'version = 2\noom_score = 00\n').status).toBe('pass');
    expect(rt221('2.0.7', 'version = 2\noom_score = 00\n').status).toBe('fail');
  });
  it('007 fails on 1.x with containerd\'s own words', () => {
    expect(rt221('1.6.20', 'version = 2\noom_score = 007\n')).toMatchObject({ status: 'fail', actual: `refused: failed to load TOML: ${cfg}: invalid base` });
  });
  it("the guide's trap on a real 1.6.20 dump (after its sed) stays a failure on 1.6 and 1.7, naming both lines", () => {
    const dump = readFileSync(new URL('../../fixtures/artifacts/containerd/containerd-1.6.20-debian-default.toml', import.meta.url), 'utf8').replace(/SystemdCgroup = false/g, 'SystemdCgroup = true');
    const append = readFileSync(new URL('../../fixtures/guide/containerd-config-append.toml', import.meta.url), 'utf8');
    for (const release of ['1.6.20', '1.7.29']) {
      const v = rt221(release, dump + append);
      expect(v.status, release).toBe('fail');
      expect(v.actual, release).toMatch(/is defined twice: lines 114 and \d+$/);
    }
  });
  it('the duplicate header stays a failure on 1.x, naming both lines', () => {
    const v = rt221('1.6.20', cases["the same header twice (the guide's trap)"].text);
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('is defined twice: lines 2 and 4');
  });
});

const versionRun = spawnSync('containerd', ['--version'], { encoding: 'utf8' });
const installed = versionRun.status === 0 && /containerd\S* v?1\.[67]\./.test(versionRun.stdout);

describe.skipIf(!installed)(`the model agrees with the installed containerd (${installed ? versionRun.stdout.trim() : 'no containerd 1.6/1.7 installed'})`, () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nodegate-go-toml-v1-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const release = /v?(1\.[67]\.\d+)/.exec(versionRun.stdout)?.[1] ?? '1.6.20';
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const path = join(work, `${name.replace(/\W+/g, '-')}.toml`);
      writeFileSync(path, c.text);
      const r = spawnSync('containerd', ['--config', path, 'config', 'dump'], { encoding: 'utf8', timeout: 10_000 });
      const model = load(release, c.text);
      expect(model.kind === 'loaded', `${r.stderr}`).toBe(r.status === 0);
      // Where the model speaks go-toml v1's words, they are containerd's (after its own path).
      if (model.kind === 'refused' && !model.syntax) expect(r.stderr).toContain(model.error.replace(`failed to load TOML: ${cfg}: `, ''));
    });
  }
});
