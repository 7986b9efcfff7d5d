// Progress on stderr while a run goes: one line per finished suite file, so a slow node is visibly working.
import type { Reporter, TestModule } from 'vitest/node';

export class ProgressReporter implements Reporter {
  onTestModuleEnd(module: TestModule): void {
    let checks = 0;
    for (const test of module.children.allTests()) if (test.meta().nodegate) checks += 1;
    if (checks > 0) process.stderr.write(`  checked ${module.relativeModuleId} (${checks} verdicts)\n`);
  }
}
