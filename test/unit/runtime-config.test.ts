// RT-2.2.1–2.2.3 over replayed facts with small hand-written configs: each version's table names, ignored
// look-alike tables, types, and the error chain when the file does not parse.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { compliantFacts, drift, file, missing, ran } from '../support/facts.ts';
import type { FileFact } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const cfg = '/etc/containerd/config.toml';
const parses = runtimeEvaluators['RT-2.2.1']!;
const cri = runtimeEvaluators['RT-2.2.2']!;
const cgroup = runtimeEvaluators['RT-2.2.3']!;
const withConfig = (f: FileFact | string) => drift(compliantFacts(), { files: { [cfg]: typeof f === 'string' ? file(f) : f } });

const v3 = (systemd: string) => `version = 3\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  ${systemd}\n`;

describe('RT-2.2.1 config.toml parses', () => {
  it('passes the compliant file', () => {
    expect(parses(compliantFacts(), profile)).toMatchObject({ status: 'pass', actual: 'valid TOML, config version 2', source: cfg });
  });
  it('fails a duplicate table naming both lines', () => {
    const v = parses(withConfig('version = 2\n[grpc]\n  uid = 0\n[grpc]\n  gid = 0\n'), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('table [grpc] is defined twice: lines 2 and 4');
    expect(v.message).toContain('containerd refuses to start');
  });
  it('fails a version containerd does not know', () => {
    // containerd 2.x ValidateVersion (cmd/containerd/server/config/config.go at v2.1.5): version > ConfigVersion (3).
    const v = parses(withConfig('version = 4\n'), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('containerd 2.1.5 refuses to start with /etc/containerd/config.toml, printing "containerd: failed to load TOML from /etc/containerd/config.toml: expected containerd config version equal to or less than `3`, got `4`"');
  });
  it('passes a missing file: containerd uses its defaults', () => {
    expect(parses(withConfig(missing), profile)).toMatchObject({ status: 'pass', message: 'no file: containerd uses its defaults' });
  });
  it('is an error when the file could not be read', () => {
    const v = parses(withConfig({ state: 'unreadable', error: 'Permission denied' }), profile);
    expect(v).toMatchObject({ status: 'error' });
    expect(v.message).toContain('Permission denied');
  });
  it('reads the path from the profile', () => {
    const other = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, configPath: '/etc/k8s/containerd.toml' } });
    const v = parses(compliantFacts(), other);
    expect(v.status).toBe('error');
    expect(v.message).toContain('/etc/k8s/containerd.toml');
  });
});

describe('RT-2.2.2 the CRI plugin is enabled', () => {
  it('passes without disabled_plugins and with an empty list', () => {
    expect(cri(compliantFacts(), profile).status).toBe('pass');
    expect(cri(withConfig('version = 2\ndisabled_plugins = []\n'), profile)).toMatchObject({ status: 'pass', actual: 'disabled_plugins = [] (line 2)' });
  });
  it('a short "cri" in a version 3 file: containerd 2.x refuses the file (RT-2.2.1 fails), so RT-2.2.2 cannot judge', () => {
    // ValidateVersion at v2.1.5: a disabled_plugins entry without a dot is "invalid disabled plugin URI".
    const facts = withConfig('version = 3\ndisabled_plugins = ["io.containerd.snapshotter.v1.zfs", "cri"]\n');
    expect(cri(facts, profile)).toMatchObject({ status: 'error', message: `${cfg} does not parse: see RT-2.2.1` });
    expect(parses(facts, profile).actual).toBe('refused: failed to load TOML from /etc/containerd/config.toml: invalid disabled plugin URI "cri" expect io.containerd.x.vx');
  });
  it('fails "cri" (version 1 file) and every v2/v3 CRI plugin name', () => {
    for (const name of ['io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images']) {
      const v = cri(withConfig(`version = 3\ndisabled_plugins = ["io.containerd.snapshotter.v1.zfs", "${name}"]\n`), profile);
      expect(v.status, name).toBe('fail');
      expect(v.message).toContain(`lists "${name}", which disables containerd's CRI plugin`);
      expect(v.message).toContain('(line 2)');
    }
  });
  it('a value that is not a list: containerd cannot decode the file, RT-2.2.1 fails and RT-2.2.2 cannot judge', () => {
    // containerd 1.6.20 prints "failed to unmarshal TOML: (1, 1): Can't convert cri(string) to []string(slice)".
    const facts = withConfig('disabled_plugins = "cri"\n');
    expect(parses(facts, profile).status).toBe('fail');
    expect(parses(facts, profile).actual).toContain('disabled_plugins = "cri" is not a list of strings');
    expect(cri(facts, profile).status).toBe('error');
  });
  it('passes "cri" in a file without version on containerd 1.x, where ValidateV2 skips version 1 files', () => {
    const facts = drift(withConfig('disabled_plugins = ["cri"]\n'), { commands: { 'containerd-version': ran('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1\n') } });
    expect(parses(facts, profile).status).toBe('pass');
    expect(cri(facts, profile)).toMatchObject({ status: 'fail', actual: 'disabled_plugins = ["cri"] (line 1)' });
  });
  it('passes a missing file, and is an error when 2.2.1 fails', () => {
    expect(cri(withConfig(missing), profile).status).toBe('pass');
    expect(cri(withConfig('[a]\n[a]\n'), profile)).toMatchObject({ status: 'error', message: `${cfg} does not parse: see RT-2.2.1` });
  });
});

describe('RT-2.2.3 runc uses the systemd cgroup driver', () => {
  it('passes the v2 table', () => {
    expect(cgroup(compliantFacts(), profile)).toMatchObject({ status: 'pass', actual: 'SystemdCgroup = true (line 10)' });
  });
  it('passes the v3 table with single-quoted keys and a dotted key', () => {
    expect(cgroup(withConfig(v3('SystemdCgroup = true')), profile)).toMatchObject({ status: 'pass', actual: 'SystemdCgroup = true (line 4)' });
    const dotted = `version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]\n  options.SystemdCgroup = true\n`;
    expect(cgroup(withConfig(dotted), profile)).toMatchObject({ status: 'pass', actual: 'SystemdCgroup = true (line 3)' });
  });
  it('fails SystemdCgroup = false with the key line and the table line', () => {
    const v = cgroup(withConfig(v3('SystemdCgroup = false')), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('SystemdCgroup = false (line 4)');
    expect(v.message).toContain(`[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options] (line 3)`);
  });
  it('fails the string "true"', () => {
    const v = cgroup(withConfig(v3('SystemdCgroup = "true"')), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('a string, not the boolean true');
  });
  it('fails a v2 table inside a v3 file, naming it as ignored', () => {
    const text = `version = 3\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n`;
    const v = cgroup(withConfig(text), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('no [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options] table');
    expect(v.message).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options] (line 2) sets SystemdCgroup = true (line 3) but is the config version 2 name of that table');
    expect(v.message).toContain('this file is version = 3, so containerd ignores it');
  });
  it('reads a file without version as version 1 (short plugin IDs) on containerd 1.x', () => {
    const on17 = (t: string) => drift(withConfig(t), { commands: { 'containerd-version': ran('containerd github.com/containerd/containerd v1.7.29 abc\n') } });
    const v1 = '[plugins.cri.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n';
    expect(cgroup(on17(v1), profile).status).toBe('pass');
    const longName = '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n';
    const v = cgroup(on17(longName), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no `version` key, so version 1');
  });
  it('fails a file without version on containerd 2.x: short IDs become URIs, but the CRI settings are not moved to the v3 plugins', () => {
    // cmd/containerd/server/config/config.go at v2.1.5, LoadConfig: a version 0/1 file is MigrateConfigTo(out.Version),
    // and out starts at version 3 (command/config.go defaultConfig), so server.New (currentVersion = 3) runs no plugin
    // ConfigMigration: plugins/cri/runtime/plugin.go never moves "io.containerd.grpc.v1.cri".containerd.runtimes.
    const v = cgroup(withConfig('[plugins.cri.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n'), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('no [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options] table');
    expect(v.message).toContain('containerd 2.1.5 converts this version 1 (no `version` key) file to version 3 on load');
    expect(v.message).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options] (line 1) sets SystemdCgroup = true (line 2)');
  });
  it('fails a version 3 file on a containerd 1.x node: 1.x ignores the v3 table', () => {
    const facts = drift(withConfig(v3('SystemdCgroup = true')), {
      commands: { 'ctr-version': ran('Client:\n  Version:  1.7.24~ds1\n\nServer:\n  Version:  1.7.24~ds1\n') },
    });
    const v = cgroup(facts, profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'version = 3 (line 1)' });
    expect(v.message).toContain('config version 3, which containerd 1.7.24~ds1 (1.x) does not know');
  });
  it('fails a missing file: built-in default is false in 1.x and 2.x', () => {
    const v = cgroup(withConfig(missing), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('SystemdCgroup is false (in 1.x and still in 2.x)');
  });
  it('is an error when 2.2.1 fails', () => {
    expect(cgroup(withConfig('x = \n'), profile)).toMatchObject({ status: 'error', message: `${cfg} does not parse: see RT-2.2.1` });
  });
});
