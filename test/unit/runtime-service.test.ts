// RT-2.1.1 and RT-2.1.2 over replayed facts: unit state with its journal, and the version call on the socket.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { compliantFacts, drift, missing, notFound, ran } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const rt = (id: string) => {
  const e = runtimeEvaluators[id];
  if (!e) throw new Error(`no evaluator for ${id}`);
  return e;
};

describe('RT-2.1.1 containerd service is active and enabled', () => {
  const check = rt('RT-2.1.1');
  it('passes when active and enabled', () => {
    const v = check(compliantFacts(), profile);
    expect(v).toMatchObject({ status: 'pass', actual: 'active, enabled' });
    expect(v.source).toContain('systemctl is-active containerd');
  });
  it('fails when failed and disabled, with the journal attached', () => {
    const facts = drift(compliantFacts(), {
      commands: {
        'containerd-is-active': ran('failed\n', 3),
        'containerd-is-enabled': ran('disabled\n', 1),
        'containerd-journal': ran(
          '2026-11-27T10:00:00+0000 worker-01 containerd[812]: containerd: failed to load TOML: /etc/containerd/config.toml: (293, 2): duplicated tables\n2026-11-27T10:00:00+0000 worker-01 systemd[1]: containerd.service: Main process exited, code=exited, status=1/FAILURE\n',
        ),
      },
    });
    const v = check(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('failed, disabled');
    expect(v.message).toContain('containerd is failed, not active');
    expect(v.message).toContain('it will not start at boot');
    expect(v.message).toContain('last journal lines:');
    expect(v.message).toContain('duplicated tables');
  });
  it('fails an active but only runtime-enabled unit', () => {
    const v = check(drift(compliantFacts(), { commands: { 'containerd-is-enabled': ran('enabled-runtime\n') } }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('loses that at reboot');
  });
  it('fails a unit that is not installed', () => {
    const facts = drift(compliantFacts(), {
      commands: {
        'containerd-is-active': ran('inactive\n', 3),
        'containerd-is-enabled': ran('', 1, 'Failed to get unit file state for containerd.service: No such file or directory\n'),
      },
    });
    const v = check(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('containerd.service is not installed');
    expect(v.message).toContain('(the journal has no containerd entries)');
  });
  it('is an error without systemd', () => {
    const v = check(drift(compliantFacts(), { systemd: false }), profile);
    expect(v).toMatchObject({ status: 'error', message: 'no systemd on this node (PID 1 is not systemd): unit state cannot be observed' });
  });
  it('is an error when systemctl is missing or the command was skipped', () => {
    expect(check(drift(compliantFacts(), { commands: { 'containerd-is-active': notFound } }), profile)).toMatchObject({ status: 'error' });
    const skipped = check(drift(compliantFacts(), { commands: { 'containerd-is-enabled': { state: 'skipped', reason: 'no systemd' } } }), profile);
    expect(skipped.status).toBe('error');
    expect(skipped.message).toContain('no systemd');
  });
});

describe('RT-2.1.2 containerd answers on its socket', () => {
  const check = rt('RT-2.1.2');
  it('passes with a Server version', () => {
    const v = check(compliantFacts(), profile);
    expect(v).toMatchObject({ status: 'pass', actual: 'Server version 2.1.5', source: 'ctr --address /run/containerd/containerd.sock version' });
  });
  it('fails with ctr’s stderr on connection refused', () => {
    const stderr =
      'ctr: failed to dial "/run/containerd/containerd.sock": connection error: desc = "transport: error while dialing: dial unix /run/containerd/containerd.sock: connect: connection refused"\n';
    const v = check(drift(compliantFacts(), { commands: { 'ctr-version': ran('Client:\n  Version:  2.1.5\n', 1, stderr) } }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('containerd is not running or listens elsewhere');
    expect(v.message).toContain('connect: connection refused');
    expect(v.actual).toMatch(/^exit 1: ctr: failed to dial/);
  });
  it('fails on permission denied as root, is an error as an unprivileged probe', () => {
    const denied = { 'ctr-version': ran('', 1, 'ctr: failed to dial "/run/containerd/containerd.sock": connect: permission denied\n') };
    expect(check(drift(compliantFacts(), { commands: denied }), profile).status).toBe('fail');
    const user = { ...drift(compliantFacts(), { commands: denied }), probe: { roundTrips: 1, durationMs: 1, uid: 1000, sudo: false } };
    const v = check(user, profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('rerun with sudo');
  });
  it('fails when ctr printed no Server section', () => {
    const v = check(drift(compliantFacts(), { commands: { 'ctr-version': ran('Client:\n  Version:  2.1.5\n') } }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no Server version');
  });
  it('fails on a timeout, saying why when the socket is missing; is an error without ctr', () => {
    expect(check(drift(compliantFacts(), { commands: { 'ctr-version': { state: 'timeout' } } }), profile).message).toContain('containerd is hung');
    const gone = check(drift(compliantFacts(), { commands: { 'ctr-version': { state: 'timeout' } }, files: { '/run/containerd/containerd.sock': missing } }), profile);
    expect(gone).toMatchObject({ status: 'fail', actual: 'no answer (timed out)' });
    expect(gone.message).toContain('does not exist: containerd is not running or listens elsewhere');
    const v = check(drift(compliantFacts(), { commands: { 'ctr-version': notFound } }), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('cannot call the socket');
  });
  it('reads the socket path from the profile', () => {
    const custom = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, socket: { ...defaultProfile.containerd.socket, path: '/var/run/k8s/containerd.sock' } } });
    expect(check(compliantFacts(), custom).source).toBe('ctr --address /var/run/k8s/containerd.sock version');
  });
});
