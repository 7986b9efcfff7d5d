// RT-2.3.1 and RT-2.3.2 over replayed facts: the socket's type, mode (this or stricter) and owner, from the profile.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { compliantFacts, directory, drift, file, missing, socket } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const sock = '/run/containerd/containerd.sock';
const mode = runtimeEvaluators['RT-2.3.1']!;
const owner = runtimeEvaluators['RT-2.3.2']!;
const withSocket = (f: ReturnType<typeof socket>) => drift(compliantFacts(), { files: { [sock]: f } });

describe('RT-2.3.1 containerd socket mode', () => {
  it('passes 0660 and anything stricter', () => {
    expect(mode(compliantFacts(), profile)).toMatchObject({ status: 'pass', actual: 'socket, mode 0660', expected: 'a socket with mode 0660 or stricter', source: `stat ${sock}` });
    expect(mode(withSocket(socket(0o600)), profile).status).toBe('pass');
  });
  it('fails 0666 naming the extra bits in octal', () => {
    const v = mode(withSocket(socket(0o666)), profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'socket, mode 0666' });
    expect(v.message).toContain('grants 0006 beyond 0660');
    expect(v.message).toContain(`chmod 0660 ${sock}`);
  });
  it('fails what is not a socket, and a missing socket', () => {
    expect(mode(withSocket(file('')), profile).message).toContain('is a file, not a socket');
    expect(mode(withSocket(directory()), profile).status).toBe('fail');
    const v = mode(withSocket(missing), profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'missing' });
    expect(v.message).toContain('containerd is not running or listens elsewhere');
  });
  it('is an error when the stat failed or was not taken', () => {
    expect(mode(withSocket({ state: 'unreadable', error: 'Permission denied' }), profile).status).toBe('error');
    const { [sock]: _gone, ...rest } = compliantFacts().files;
    expect(mode({ ...compliantFacts(), files: rest }, profile).status).toBe('error');
  });
  it('takes the mask and path from the profile', () => {
    const strict = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, socket: { ...defaultProfile.containerd.socket, mode: '0600' } } });
    const v = mode(compliantFacts(), strict);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('grants 0060 beyond 0600');
  });
});

describe('RT-2.3.2 containerd socket owner', () => {
  it('passes root:root', () => {
    expect(owner(compliantFacts(), profile)).toMatchObject({ status: 'pass', actual: 'uid 0, gid 0' });
  });
  it('fails another group, naming it', () => {
    const v = owner(withSocket(socket(0o660, 0, 999)), profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'uid 0, gid 999' });
    expect(v.message).toContain('gid 999 (expected 0)');
    expect(v.message).toContain('[grpc]');
  });
  it('passes the profile’s group when it is not root', () => {
    const grp = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, socket: { ...defaultProfile.containerd.socket, gid: 999 } } });
    expect(owner(withSocket(socket(0o660, 0, 999)), grp).status).toBe('pass');
  });
  it('is an error when there is no socket to own', () => {
    const v = owner(withSocket(missing), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('see RT-2.3.1');
  });
});
