// bin/nodegate.js: a nodegate that cannot even load exits 4 with one line, never 1 ("not compliant") with a stack.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../support/cli.ts';

describe('bin/nodegate.js', () => {
  // The real entry point beside a src/cli.ts that throws at import, as a broken install or a bad edit would.
  const dir = mkdtempSync(join(tmpdir(), 'ng-bin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a CLI module that fails to load is an internal error (exit 4) with where to report it', () => {
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(repoRoot, 'bin/nodegate.js'), join(dir, 'bin/nodegate.js'));
    writeFileSync(join(dir, 'src/cli.ts'), "throw new Error('broken install\\nsecond line');\n");
    const r = spawnSync(process.execPath, [join(dir, 'bin/nodegate.js'), '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(4);
    expect(r.stderr).toBe(
      'nodegate: internal error: cannot load nodegate: broken install — this is a bug in nodegate: report it with the command line and this message (README, "Exit codes")\n',
    );
  });
});
