// containerd's config loading per release line where no daemon of that release runs here (1.6.29+, 1.7, 2.x):
// each case cites the upstream source that defines it. Tags read with `git show <tag>:<path>` in containerd/containerd.
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { containerdFollowUps } from '../../src/facts/requirements-containerd.ts';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { loaderRules } from '../../src/parse/containerd-rules.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file, missing, ran } from '../support/facts.ts';
import type { DirFact, FileFact } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const cfg = profile.containerd.configPath;
const on = (release: string, files: Record<string, FileFact | string>, dirs: Record<string, DirFact> = {}, binary = true) =>
  drift(compliantFacts(), {
    files: Object.fromEntries(Object.entries(files).map(([p, f]) => [p, typeof f === 'string' ? file(f) : f])),
    dirs,
    commands: binary
      ? { 'containerd-version': ran(`containerd github.com/containerd/containerd v${release} abc\n`) }
      : { 'containerd-version': { state: 'not-found', stderr: 'containerd: not found' }, 'ctr-version': { state: 'not-found', stderr: 'ctr: not found' } },
  });
const judge = (id: string, facts: ReturnType<typeof on>) => runtimeEvaluators[id]!(facts, profile);
const rules = (v: string) => loaderRules(new semver.SemVer(v));

describe('loader rules by release (services/server/config/config.go; cmd/containerd/server/config/config.go from 2.0)', () => {
  it('1.6: four dot-separated parts; relative globs against the config dir from 1.6.29; version > 2 refused from 1.6.32', () => {
    // v1.6.28 resolveImports globs `path` as written; v1.6.29 cleans and joins it to filepath.Dir(parent) first.
    expect(rules('1.6.28')).toMatchObject({ uriCheck: 'four-parts', relativeGlobBase: 'cwd', maxConfigVersion: undefined });
    expect(rules('1.6.29')).toMatchObject({ relativeGlobBase: 'config-dir', maxConfigVersion: undefined });
    // v1.6.32 ValidateV2: `if version > 2 { ... return fmt.Errorf("unsupported config version `%d`", version) }`.
    expect(rules('1.6.32')).toMatchObject({ maxConfigVersion: 2, pluginMerge: 'replace-section' });
  });
  it('1.7: the "io.containerd." prefix is required; cwd globs until 1.7.16; version > 2 refused from 1.7.17', () => {
    // v1.7.0 ValidateV2: `!strings.HasPrefix(p, "io.containerd.") || len(strings.SplitN(p, ".", 4)) < 4`.
    expect(rules('1.7.0')).toMatchObject({ uriCheck: 'io-containerd-prefix', relativeGlobBase: 'cwd', maxConfigVersion: undefined });
    expect(rules('1.7.16')).toMatchObject({ relativeGlobBase: 'config-dir', maxConfigVersion: undefined });
    expect(rules('1.7.17')).toMatchObject({ maxConfigVersion: 2 });
  });
  it('2.x: version ≤ 3, only a dot is required, plugin tables merge key by key', () => {
    // v2.0.7 ValidateVersion: `c.Version > version.ConfigVersion` (3); `!strings.ContainsAny(p, ".")`; mergeConfig no
    // longer replaces Plugins entries (containerd PR #9982, "Allow sections of Plugins to be merged").
    for (const v of ['2.0.7', '2.1.5', '2.2.0']) expect(rules(v)).toMatchObject({ major: 2, maxConfigVersion: 3, uriCheck: 'has-dot', checksPluginKeys: false, pluginMerge: 'deep', listMerge: 'append-new' });
  });
});

describe('RT-2.2.1 per release', () => {
  const notUri = 'version = 2\n[plugins."acme.example.v1.thing"]\n';
  it('a 4-part key outside io.containerd.* loads on 1.6 but is refused by 1.7', () => {
    expect(judge('RT-2.2.1', on('1.6.20', { [cfg]: notUri })).status).toBe('pass');
    const v = judge('RT-2.2.1', on('1.7.29', { [cfg]: notUri }));
    expect(v).toMatchObject({ status: 'fail', actual: `refused: failed to load TOML from ${cfg}: invalid plugin key URI "acme.example.v1.thing" expect io.containerd.x.vx` });
    expect(v.message).toContain('containerd 1.7.29 refuses to start');
  });
  it('version = 3 is refused by 1.6.39 and 1.7.29, loaded by 2.x', () => {
    for (const r of ['1.6.39', '1.7.29']) expect(judge('RT-2.2.1', on(r, { [cfg]: 'version = 3\n' })).actual, r).toBe(`refused: failed to load TOML from ${cfg}: unsupported config version \`3\``);
    expect(judge('RT-2.2.1', on('2.0.7', { [cfg]: 'version = 3\n' })).status).toBe('pass');
  });
  it('1.6.20 reads a version 3 file like version 2: its v2 CRI table applies, its v3 table does not', () => {
    // v1.6.20 config.go Decode: `id := p.URI(); if c.GetVersion() == 1 { id = p.ID }` — any version but 1 reads URIs.
    const v2Table = 'version = 3\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n';
    const ok = judge('RT-2.2.3', on('1.6.20', { [cfg]: v2Table }));
    expect(ok.status).toBe('pass');
    expect(ok.message).toContain('containerd 1.6.20 reads version 3 like version 2');
    const v3Table = "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n";
    const bad = judge('RT-2.2.3', on('1.6.20', { [cfg]: v3Table }));
    expect(bad.status).toBe('fail');
    expect(bad.message).toContain('is the config version 3 name of that table: this file is read as version 2');
  });
  it('TOML 1.1 escapes: \\x is refused by every release, \\e only by 1.x (go-toml v2 at containerd v2.0.7 decodes it)', () => {
    // vendor/github.com/pelletier/go-toml/v2/unstable/parser.go (v2.0.7): `case 'e': builder.WriteByte(0x1B)`, no 'x'.
    const text = (esc: string) => `version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause${esc}"\n`;
    expect(judge('RT-2.2.1', on('2.0.7', { [cfg]: text('\\e') })).status).toBe('pass');
    expect(judge('RT-2.2.1', on('2.0.7', { [cfg]: text('\\x41') })).status).toBe('fail');
    expect(judge('RT-2.2.1', on('1.7.29', { [cfg]: text('\\e') })).actual).toBe(`refused: failed to load TOML: ${cfg}: (3, 20): invalid escape sequence: \\e`);
  });
  it('2.x does not validate plugin keys: a v2 file with [plugins.cri] loads (and its settings are ignored)', () => {
    expect(judge('RT-2.2.1', on('2.1.5', { [cfg]: 'version = 2\n[plugins.cri.containerd]\n' })).status).toBe('pass');
  });
  it('2.x converts a version 1 file\'s short disabled_plugins before validating (v1MigratePluginName)', () => {
    const facts = on('2.1.5', { [cfg]: 'disabled_plugins = ["cri"]\n' });
    expect(judge('RT-2.2.1', facts).status).toBe('pass');
    expect(judge('RT-2.2.2', facts)).toMatchObject({ status: 'fail', actual: 'disabled_plugins = ["io.containerd.grpc.v1.cri"] (line 1)' });
  });
  it('RT-2.2.2 per release: 1.x matches a version 1 file by plugin ID and a version 2 file by URI', () => {
    // services/server/server.go v1.7.29: `filter := srvconfig.V2DisabledFilter; if config.GetVersion() == 1 { filter = srvconfig.V1DisabledFilter }`
    // (config.go: V1DisabledFilter matches r.ID, V2DisabledFilter r.URI()).
    const uriInV1 = judge('RT-2.2.2', on('1.7.29', { [cfg]: 'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n' }));
    expect(uriInV1.status).toBe('pass');
    expect(uriInV1.message).toContain('"io.containerd.grpc.v1.cri" disables nothing here');
    expect(judge('RT-2.2.2', on('1.7.29', { [cfg]: 'disabled_plugins = ["cri"]\n' })).status).toBe('fail');
    expect(judge('RT-2.2.2', on('1.7.29', { [cfg]: 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n' })).status).toBe('fail');
    // 2.x's split CRI plugins do not exist in 1.x.
    expect(judge('RT-2.2.2', on('1.7.29', { [cfg]: 'version = 2\ndisabled_plugins = ["io.containerd.cri.v1.images"]\n' })).status).toBe('pass');
    expect(judge('RT-2.2.2', on('2.1.5', { [cfg]: 'version = 3\ndisabled_plugins = ["io.containerd.cri.v1.images"]\n' })).status).toBe('fail');
  });
  it('containerd\'s version unknown: judged only when every modelled release agrees', () => {
    expect(judge('RT-2.2.1', on('', { [cfg]: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n' }, {}, false)).status).toBe('pass');
    expect(judge('RT-2.2.1', on('', { [cfg]: 'version = 2\ndisabled_plugins = ["cri"]\n' }, {}, false))).toMatchObject({ status: 'fail' });
    const v = judge('RT-2.2.1', on('', { [cfg]: 'version = 3\n' }, {}, false));
    expect(v.status).toBe('error');
    expect(v.message).toContain("containerd's version could not be read, and releases read");
    expect(v.message).toContain('1.6.20: loads it, 1.6.39: refuses it');
  });
});

describe('imports: merged per release, read by the probe', () => {
  const main = 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n';
  const registry = '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
  const dirs = { '/etc/containerd/conf.d': { state: 'present', entries: ['registry.toml'] } } as const;
  const files = { [cfg]: main, '/etc/containerd/conf.d/registry.toml': registry };

  it('1.x: an import that configures one CRI setting replaces the whole CRI section, SystemdCgroup included', () => {
    // v1.7.29 mergeConfig: `for k, v := range from.Plugins { to.Plugins[k] = v }`; containerd issue #5837.
    const v = judge('RT-2.2.3', on('1.7.29', files, dirs));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('no [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options] table');
    expect(v.message).toContain('/etc/containerd/conf.d/registry.toml redefines [plugins."io.containerd.grpc.v1.cri"], and containerd 1.x replaces the whole plugin section');
  });
  it('2.x: the same import merges into the CRI section, SystemdCgroup stays', () => {
    // v2.0.7 mergeConfig: mergo.Merge(WithOverride) over Plugins map[string]interface{} merges nested tables (PR #9982).
    expect(judge('RT-2.2.3', on('2.0.7', files, dirs)).status).toBe('pass');
    expect(judge('RT-2.2.1', on('2.0.7', files, dirs)).actual).toContain('imports loaded: /etc/containerd/conf.d/registry.toml');
  });
  it('2.x: an import setting SystemdCgroup = false wins over the main file', () => {
    const off = { ...files, '/etc/containerd/conf.d/registry.toml': '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n' };
    const v = judge('RT-2.2.3', on('2.0.7', off, dirs));
    expect(v).toMatchObject({ status: 'fail', actual: 'SystemdCgroup = false (/etc/containerd/conf.d/registry.toml line 2)' });
  });
  it('an import the probe could not read is an error, never a pass', () => {
    const unreadable = { ...files, '/etc/containerd/conf.d/registry.toml': { state: 'unreadable', error: 'Permission denied' } as const };
    for (const id of ['RT-2.2.1', 'RT-2.2.2', 'RT-2.2.3']) expect(judge(id, on('2.0.7', unreadable, dirs)).status, id).toBe('error');
    const unlisted = judge('RT-2.2.1', on('2.0.7', files));
    expect(unlisted).toMatchObject({ status: 'error' });
    expect(unlisted.message).toContain('the probe did not list /etc/containerd/conf.d');
  });
  it('a nested import (an import of an import) the probe did not read is an error', () => {
    const nested = { ...files, '/etc/containerd/conf.d/registry.toml': 'imports = ["/etc/containerd/more.toml"]\n' };
    const v = judge('RT-2.2.1', on('2.0.7', nested, dirs));
    expect(v.status).toBe('error');
    expect(v.message).toContain('the probe did not read /etc/containerd/more.toml');
  });
  it('glob matches load in sorted order (Go\'s filepath.Glob sorts), only names the pattern matches', () => {
    const facts = on('2.0.7', { [cfg]: 'version = 2\nimports = ["/etc/containerd/conf.d/?0-*.toml"]\n', '/etc/containerd/conf.d/20-b.toml': '', '/etc/containerd/conf.d/10-a.toml': '' }, {
      '/etc/containerd/conf.d': { state: 'present', entries: ['20-b.toml', '10-a.toml', '10-a.toml.bak', 'x0-.conf'] },
    });
    expect(judge('RT-2.2.1', facts).actual).toBe('valid TOML, config version 2; imports loaded: /etc/containerd/conf.d/10-a.toml, /etc/containerd/conf.d/20-b.toml');
  });
  it('a missing plain import is refused; a glob that matches nothing is fine', () => {
    const v = judge('RT-2.2.1', on('2.0.7', { [cfg]: 'version = 3\nimports = ["extra.toml"]\n', '/etc/containerd/extra.toml': missing }));
    // v2.0.7 loadConfigFile returns os.Open's error unwrapped.
    expect(v.actual).toBe('refused: open /etc/containerd/extra.toml: no such file or directory');
    expect(judge('RT-2.2.1', on('2.0.7', { [cfg]: main }, { '/etc/containerd/conf.d': { state: 'missing' } })).status).toBe('pass');
  });
  it('a glob match that is a directory is refused', () => {
    const v = judge('RT-2.2.1', on('2.0.7', { ...files, '/etc/containerd/conf.d/registry.toml': { state: 'present', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 } }, dirs));
    expect(v.actual).toBe('refused: read /etc/containerd/conf.d/registry.toml: is a directory');
  });
});

describe('round two: what the probe reads for `imports`', () => {
  const round1 = (text: string, release = '2.0.7') => on(release, { [cfg]: text });
  it('a plain relative import is a file next to the main config; a glob is a directory listing', () => {
    expect(containerdFollowUps(round1('imports = ["extra.toml", "/etc/containerd/conf.d/*.toml"]\n'), cfg)).toEqual([
      { kind: 'file', path: '/etc/containerd/extra.toml' },
      { kind: 'dir', path: '/etc/containerd/conf.d', glob: '*.toml' },
    ]);
  });
  it('a relative glob on 1.6.28 is listed under / (containerd\'s cwd), on 1.6.29 under the config dir', () => {
    expect(containerdFollowUps(round1('imports = ["conf.d/*.toml"]\n', '1.6.28'), cfg)).toEqual([{ kind: 'dir', path: '/conf.d', glob: '*.toml' }]);
    expect(containerdFollowUps(round1('imports = ["conf.d/*.toml"]\n', '1.6.29'), cfg)).toEqual([{ kind: 'dir', path: '/etc/containerd/conf.d', glob: '*.toml' }]);
  });
  it('glob syntax the node shell cannot be trusted with is not sent, and the verdict says so', () => {
    const facts = round1('version = 2\nimports = ["/etc/containerd/conf.d/[ab]*.toml", "/etc/*/x.toml"]\n');
    expect(containerdFollowUps(facts, cfg)).toEqual([]);
    const v = judge('RT-2.2.1', facts);
    expect(v.status).toBe('error');
    expect(v.message).toContain('uses glob syntax nodegate does not expand on the node');
  });
  it('node values reach the probe only quoted: a hostile import path is one quoted word, a hostile glob is not sent', () => {
    const hostile = round1(`imports = ["/etc/x'; touch /tmp/pwned; '.toml", "/etc/containerd/$(id)*.toml"]\n`);
    const requests = containerdFollowUps(hostile, cfg);
    expect(requests).toEqual([{ kind: 'file', path: "/etc/x'; touch /tmp/pwned; '.toml" }]);
    expect(compileProbe(requests, 'abcdef123456').text).toContain(`ng_file '/etc/x'\\''; touch /tmp/pwned; '\\''.toml' plain`);
  });
  it('nothing to read without imports', () => {
    expect(containerdFollowUps(compliantFacts(), cfg)).toEqual([]);
  });
});
