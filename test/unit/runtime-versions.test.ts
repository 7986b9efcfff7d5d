// RT-2.1.3 and RT-2.1.4 over replayed facts: version floors per release line, from the profile.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { compliantFacts, drift, notFound, ran } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const containerd = runtimeEvaluators['RT-2.1.3']!;
const runc = runtimeEvaluators['RT-2.1.4']!;
const ctrOut = (server: string) => `Client:\n  Version:  ${server}\n  Revision: x\n  Go version: go1.24.9\n\nServer:\n  Version:  ${server}\n  Revision: x\n  UUID: u\n`;
const daemonDown = ran('Client:\n  Version:  1.6.20~ds1\n', 1, 'ctr: failed to dial: connection refused');

describe('RT-2.1.3 containerd version floor', () => {
  it('passes the fixed release of its line, read from the running daemon', () => {
    const v = containerd(compliantFacts(), profile);
    expect(v).toMatchObject({ status: 'pass', actual: '2.1.5', source: 'ctr --address /run/containerd/containerd.sock version (Server)' });
    expect(v.expected).toContain('1.7: 1.7.29');
  });
  it('fails below the floor of its line', () => {
    const v = containerd(drift(compliantFacts(), { commands: { 'ctr-version': ran(ctrOut('1.7.24~ds1')) } }), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('1.7.24 (printed "1.7.24~ds1")');
    expect(v.message).toContain('containerd 1.7.24 is below 1.7.29, the fixed release of line 1.7');
  });
  it('fails Debian 12’s 1.6 from containerd --version when the daemon is down: 1.6 has no fixed release', () => {
    const facts = drift(compliantFacts(), {
      commands: { 'ctr-version': daemonDown, 'containerd-version': ran('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n') },
    });
    const v = containerd(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('1.6 has no fixed release');
    expect(v.source).toBe('containerd --version (the daemon did not answer ctr)');
  });
  it('passes a line newer than every floor with a note', () => {
    const v = containerd(drift(compliantFacts(), { commands: { 'ctr-version': ran(ctrOut('v2.3.1')) } }), profile);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('newer than every floored line');
  });
  it('fails a line between floored lines', () => {
    const gap = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, versionFloors: { '1.7': '1.7.29', '2.2': '2.2.0' } } });
    const v = containerd(compliantFacts(), gap);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('line 2.1, which has no floor in the profile');
  });
  it('judges the running daemon and says when the binary on disk differs', () => {
    const facts = drift(compliantFacts(), { commands: { 'ctr-version': ran(ctrOut('2.1.4')), 'containerd-version': ran('containerd containerd.io 2.1.5 fcd43222\n') } });
    const v = containerd(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('restart containerd');
  });
  it('reads upstream containerd --version', () => {
    const facts = drift(compliantFacts(), { commands: { 'ctr-version': notFound, 'containerd-version': ran('containerd github.com/containerd/containerd/v2 v2.1.9 4b3d9a1c\n') } });
    expect(containerd(facts, profile)).toMatchObject({ status: 'pass', actual: '2.1.9 (printed "v2.1.9")' });
  });
  it('is an error when no version can be read, naming both causes', () => {
    const v = containerd(drift(compliantFacts(), { commands: { 'ctr-version': notFound, 'containerd-version': notFound } }), profile);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/ctr is not installed.*containerd is not installed/);
  });
});

describe('RT-2.1.4 runc version floor', () => {
  it('passes the fixed release', () => {
    expect(runc(compliantFacts(), profile)).toMatchObject({ status: 'pass', actual: '1.3.3', source: 'runc --version' });
  });
  it('fails below the floor of its line', () => {
    const v = runc(drift(compliantFacts(), { commands: { 'runc-version': ran('runc version 1.2.5\ncommit: v1.2.5-0-g59923ef1\n') } }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('runc 1.2.5 is below 1.2.8');
    expect(v.message).not.toContain('CVE-2024-21626');
  });
  it('fails Debian 12’s runc 1.1.5+ds1 and names CVE-2024-21626', () => {
    const v = runc(drift(compliantFacts(), { commands: { 'runc-version': ran('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n') } }), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('1.1.5 (printed "1.1.5+ds1")');
    expect(v.message).toContain('1.1 has no fixed release');
    expect(v.message).toContain('predates 1.1.12, the fix for CVE-2024-21626');
  });
  it('fails runc 1.1.12+ without the CVE-2024-21626 note', () => {
    const v = runc(drift(compliantFacts(), { commands: { 'runc-version': ran('runc version 1.1.12-0ubuntu2~22.04.1\n') } }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).not.toContain('CVE-2024-21626');
  });
  it('is an error without runc', () => {
    const v = runc(drift(compliantFacts(), { commands: { 'runc-version': notFound } }), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('runc is not installed');
  });
});
