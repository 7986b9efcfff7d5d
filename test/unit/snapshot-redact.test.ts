// A snapshot is redacted again when it is loaded: one written before a credential was recognised (or edited by
// hand) replays without it, and a current one loads unchanged because redaction is idempotent.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadSnapshot, saveSnapshot } from '../../src/run/snapshot.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { compliantFacts, file, ran } from '../support/facts.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const config = [
  'version = 2',
  '[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example".auth]',
  '  username = "deploy"',
  '  password = "hunter2-registry"',
  '',
].join('\n');

function withSecrets(): NodeFacts {
  const facts = compliantFacts();
  return {
    ...facts,
    files: { ...facts.files, '/etc/containerd/config.toml': file(config), '/etc/default/kubelet': file('HTTPS_PROXY=http://ops:proxy-pass-42@proxy.example:3128\n') },
    commands: { ...facts.commands, 'containerd-show': ran('Environment=HTTPS_PROXY=http://ops:proxy-pass-42@proxy.example:3128\n') },
  };
}

describe('loadSnapshot redacts what an older writer kept', () => {
  test('a format-1 file holding registry and proxy credentials loads without them, keys and line numbers kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nodegate-snap-'));
    dirs.push(dir);
    const path = join(dir, 'old.json');
    // Written by hand as an older nodegate would have: the facts verbatim, nothing redacted.
    await writeFile(path, JSON.stringify({ format: 'nodegate-snapshot/1', nodes: [withSecrets()] }));
    const loaded = await loadSnapshot(path);
    const text = JSON.stringify(loaded);
    for (const secret of ['hunter2-registry', 'proxy-pass-42']) expect(text).not.toContain(secret);
    const toml = loaded.nodes[0]?.files['/etc/containerd/config.toml'];
    expect(toml?.state === 'present' ? toml.content : undefined).toMatch(/^ {2}password = "<redacted sha256:[0-9a-f]{8}>"$/m);
    expect(toml?.state === 'present' ? toml.content?.split('\n').length : 0).toBe(config.split('\n').length);
    expect(text).toContain('username = \\"<redacted sha256:');
  });

  test('a snapshot saved by this nodegate round-trips to the same facts (redacting twice changes nothing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nodegate-snap-'));
    dirs.push(dir);
    const path = join(dir, 'new.json');
    const once = (await (async () => {
      await writeFile(path, JSON.stringify({ format: 'nodegate-snapshot/1', nodes: [withSecrets()] }));
      return loadSnapshot(path);
    })()).nodes;
    await saveSnapshot(path, once);
    const again = await loadSnapshot(path);
    expect(again.nodes).toEqual(once);
  });
});
