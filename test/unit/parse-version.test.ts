// Version strings as real tools print them (Debian, Docker's containerd.io, upstream) and the per-line floor rule.
import { describe, expect, it } from 'vitest';
import { checkFloor, parseContainerdVersion, parseCtrVersion, parseRuncVersion, toSemver } from '../../src/parse/version.ts';

const v = (s: string) => {
  const r = toSemver(s);
  if (!r) throw new Error(`no version in ${s}`);
  return r;
};

describe('toSemver', () => {
  it('drops Debian repack tags and revisions', () => {
    expect(v('1.6.20~ds1').version).toBe('1.6.20');
    expect(v('1.1.5+ds1').version).toBe('1.1.5');
    expect(v('1.6.20~ds1-1+deb12u3').version).toBe('1.6.20');
    expect(v('1.1.12-0ubuntu2~22.04.1').version).toBe('1.1.12');
  });
  it('drops a leading v and keeps upstream pre-releases below the release', () => {
    expect(v('v2.1.9').version).toBe('2.1.9');
    expect(v('v2.2.0-rc.1').version).toBe('2.2.0-rc.1');
  });
  it('rejects non-versions', () => {
    expect(toSemver('go1.24.9')).toBeUndefined();
    expect(toSemver('')).toBeUndefined();
  });
});

describe('parseContainerdVersion', () => {
  it('reads Debian, Docker and upstream formats', () => {
    expect(parseContainerdVersion('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n')).toMatchObject({ raw: '1.6.20~ds1' });
    expect(parseContainerdVersion('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n')?.version.version).toBe('1.6.20');
    expect(parseContainerdVersion('containerd containerd.io 2.1.5 fcd43222d6b07379a4be9786bda52438f0dd16a1\n')?.version.version).toBe('2.1.5');
    expect(parseContainerdVersion('containerd github.com/containerd/containerd/v2 v2.1.9 4b3d9a1c8d\n')?.version.version).toBe('2.1.9');
  });
  it('returns undefined on unrelated output', () => {
    expect(parseContainerdVersion('bash: containerd: command not found')).toBeUndefined();
  });
});

describe('parseCtrVersion', () => {
  const out = 'Client:\n  Version:  1.6.20~ds1\n  Revision: 1.6.20~ds1-1+deb12u3\n  Go version: go1.19.8\n\nServer:\n  Version:  1.7.24~ds1\n  Revision: 1.7.24~ds1-6\n  UUID: 5c1c9c1b\n';
  it('separates Client from Server', () => {
    expect(parseCtrVersion(out, 'Client')?.version.version).toBe('1.6.20');
    expect(parseCtrVersion(out, 'Server')?.version.version).toBe('1.7.24');
  });
  it('has no Server when the daemon did not answer', () => {
    expect(parseCtrVersion('Client:\n  Version:  2.1.5\n  Revision: x\n  Go version: go1.24.9\n', 'Server')).toBeUndefined();
  });
});

describe('parseRuncVersion', () => {
  it('reads upstream and Debian runc', () => {
    expect(parseRuncVersion('runc version 1.3.3\ncommit: v1.3.3-0-gd842d771\nspec: 1.2.1\n')?.version.version).toBe('1.3.3');
    expect(parseRuncVersion('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n')?.version.version).toBe('1.1.5');
  });
});

describe('checkFloor', () => {
  const floors = { '1.7': '1.7.29', '2.0': '2.0.7', '2.1': '2.1.5', '2.2': '2.2.0' };
  it('compares within a floored line', () => {
    expect(checkFloor(v('1.7.29'), floors)).toEqual({ kind: 'at-or-above', line: '1.7', floor: '1.7.29' });
    expect(checkFloor(v('1.7.100'), floors).kind).toBe('at-or-above');
    expect(checkFloor(v('1.7.28'), floors)).toEqual({ kind: 'below', line: '1.7', floor: '1.7.29' });
    expect(checkFloor(v('2.2.0-rc.1'), floors).kind).toBe('below');
  });
  it('fails a line older than every floored line', () => {
    expect(checkFloor(v('1.6.99'), floors)).toEqual({ kind: 'older-than-every-line', line: '1.6', oldest: '1.7' });
  });
  it('passes a newer line and fails a gap', () => {
    expect(checkFloor(v('2.3.0'), floors)).toEqual({ kind: 'newer-than-every-line', line: '2.3', newest: '2.2' });
    expect(checkFloor(v('1.9.0'), { '1.7': '1.7.29', '2.0': '2.0.7' })).toEqual({ kind: 'no-floor', line: '1.9', below: '1.7', above: '2.0' });
  });
  it('orders lines numerically, not as text', () => {
    expect(checkFloor(v('1.10.0'), { '1.9': '1.9.1', '1.11': '1.11.0' }).kind).toBe('no-floor');
  });
});
