// Regenerates src/seccomp/syscall-tables.generated.ts from a libseccomp src/syscalls.csv, keeping its provenance:
//   node scripts/gen-syscall-tables.ts [--csv FILE] [--tag vX.Y.Z --commit SHA]
// Defaults: fixtures/artifacts/syscalls/libseccomp-v2.6.1-src-syscalls.csv, tag v2.6.1, its commit.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSyscallsCsv, renderTableModule } from '../src/seccomp/syscalls-csv.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    csv: { type: 'string', default: `${repo}fixtures/artifacts/syscalls/libseccomp-v2.6.1-src-syscalls.csv` },
    tag: { type: 'string', default: 'v2.6.1' },
    commit: { type: 'string', default: 'a81cc2de8ee7a33633defc88bb8a2d986b421613' },
    out: { type: 'string', default: `${repo}src/seccomp/syscall-tables.generated.ts` },
  },
});
const text = readFileSync(values.csv, 'utf8');
const csv = parseSyscallsCsv(text);
const module = renderTableModule(csv, {
  url: `https://github.com/seccomp/libseccomp/blob/${values.tag}/src/syscalls.csv`,
  tag: values.tag,
  commit: values.commit,
  sha256: createHash('sha256').update(text).digest('hex'),
});
writeFileSync(values.out, module);
console.log(`${values.out}: ${csv.rows.size} syscalls × ${csv.arches.length} architectures (${csv.header})`);
