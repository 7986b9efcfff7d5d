// RT-2.1.2, RT-2.1.3 and RT-2.3.x over evidence from a real containerd: a private daemon (own root, state and
// socket under a temp dir, CRI disabled) is started, asked with the probe's exact ctr call, stat'ed, then stopped.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { hostAndRuntimeRequests, cmd, type CommandRequest } from '../../src/facts/requirements.ts';
import type { CommandFact, FileFact } from '../../src/facts/types.ts';
import { compliantFacts, drift, missing } from '../support/facts.ts';
import { startPrivateContainerd, type PrivateContainerd } from '../support/private-containerd.ts';

const canRun = process.getuid?.() === 0 && spawnSync('containerd', ['--version']).status === 0 && spawnSync('ctr', ['--version']).status === 0;
const work = canRun ? mkdtempSync(join(tmpdir(), 'nodegate-ctd-daemon-')) : join(tmpdir(), 'nodegate-ctd-daemon-unused');
const socketPath = join(work, 'containerd.sock');
const profile = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, socket: { ...defaultProfile.containerd.socket, path: socketPath } } });

/** Run a probe command exactly as requirements.ts declares it for this profile. */
function probe(name: string): CommandFact {
  const req = hostAndRuntimeRequests(profile).find((r): r is CommandRequest => r.kind === 'command' && r.name === name);
  if (!req) throw new Error(`no probe request ${name}`);
  const [bin, ...args] = req.argv;
  const r = spawnSync(bin ?? '', args, { encoding: 'utf8', timeout: (req.timeoutSeconds ?? 10) * 1000 });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? { state: 'timeout' } : { state: 'not-found', stderr: String(r.error) };
  return { state: 'ran', exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function stat(path: string): FileFact {
  if (!existsSync(path)) return missing;
  const s = lstatSync(path);
  return { state: 'present', type: s.isSocket() ? 'socket' : s.isFile() ? 'file' : 'other', mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, size: s.size };
}

const observe = () =>
  drift(compliantFacts(), {
    files: { [socketPath]: stat(socketPath) },
    commands: { [cmd.ctrVersion]: probe(cmd.ctrVersion), [cmd.containerdVersion]: probe(cmd.containerdVersion) },
  });
const status = (id: string, facts = observe()) => runtimeEvaluators[id]!(facts, profile);

describe.skipIf(!canRun)('a private containerd daemon (needs root, containerd and ctr)', () => {
  let daemon: PrivateContainerd | undefined;
  beforeAll(async () => {
    daemon = await startPrivateContainerd(work);
  }, 20_000);
  afterAll(async () => {
    await daemon?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers: RT-2.1.2 passes with the Server version, RT-2.1.3 judges the running daemon', () => {
    const facts = observe();
    const api = status('RT-2.1.2', facts);
    expect(api.status, api.message).toBe('pass');
    expect(api.actual).toMatch(/^Server version \d+\.\d+\.\d+/);
    const version = status('RT-2.1.3', facts);
    expect(version.source).toBe(`ctr --address ${socketPath} version (Server)`);
    expect(['pass', 'fail']).toContain(version.status);
  });

  it('creates its socket 0660 root:root: RT-2.3.1 and RT-2.3.2 pass; a chmod 0666 fails RT-2.3.1', () => {
    expect(status('RT-2.3.1')).toMatchObject({ status: 'pass', actual: 'socket, mode 0660' });
    expect(status('RT-2.3.2')).toMatchObject({ status: 'pass', actual: 'uid 0, gid 0' });
    chmodSync(socketPath, 0o666);
    const v = status('RT-2.3.1');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('grants 0006 beyond 0660');
    chmodSync(socketPath, 0o660);
  });

  it('stopped: RT-2.1.2 fails saying it is not running, RT-2.3.1 fails on the missing socket', async () => {
    await daemon?.stop();
    const facts = observe();
    const api = status('RT-2.1.2', facts);
    expect(api.status, api.message).toBe('fail');
    expect(api.message).toContain('containerd is not running or listens elsewhere');
    expect(status('RT-2.3.1', facts)).toMatchObject({ status: 'fail', actual: 'missing' });
    // Without the daemon the version comes from the binary on disk, and says so.
    expect(status('RT-2.1.3', facts).source).toBe('containerd --version (the daemon did not answer ctr)');
  }, 20_000);
});
