// The terminal summary: per node, verdicts grouped by threat row, with what to fix under every failure.
import { styleText } from 'node:util';
import { threatTitles } from '../src/catalog/threats.ts';
import { threatKeys } from '../src/catalog/types.ts';
import type { VerdictStatus } from '../src/evaluate/verdict.ts';
import type { CheckMeta } from '../src/run/meta.ts';
import { runOutcome } from '../src/run/outcome.ts';

export interface SummaryOptions {
  readonly color: boolean;
  readonly strict: boolean;
  /** Problems outside any verdict, passed on to the gate decision (see runOutcome). */
  readonly runErrors?: readonly string[];
}

type Style = Parameters<typeof styleText>[0];

const marks: Record<VerdictStatus, { text: string; style: Style }> = {
  pass: { text: 'PASS ', style: 'green' },
  fail: { text: 'FAIL ', style: ['red', 'bold'] },
  error: { text: 'ERROR', style: ['magenta', 'bold'] },
  skip: { text: 'SKIP ', style: 'yellow' },
};

export function renderSummary(metas: readonly CheckMeta[], opts: SummaryOptions): string {
  // styleText is told not to probe the stream: the caller already decided (TTY, NO_COLOR, --no-color).
  const paint = (style: Style, text: string): string =>
    opts.color ? styleText(style, text, { validateStream: false }) : text;
  const out: string[] = [];

  const nodes = [...new Set(metas.map((m) => m.node))];
  for (const node of nodes) {
    const own = metas.filter((m) => m.node === node);
    out.push(paint('bold', node));
    if (own.every((m) => m.unobservable)) {
      out.push(`  ${paint(['magenta', 'bold'], 'UNOBSERVABLE')} ${own[0]?.message ?? ''}`.trimEnd());
      out.push(`  ${own.length} checks not evaluated`, '');
      continue;
    }
    for (const threat of threatKeys) {
      const row = own.filter((m) => m.threat === threat);
      if (row.length === 0) continue;
      out.push(`  ${paint('underline', threatTitles[threat])}`);
      for (const m of row) out.push(...checkLines(m, paint));
    }
    out.push('');
  }

  const n = (s: VerdictStatus) => metas.filter((m) => m.status === s).length;
  out.push(`${n('pass')} passed, ${n('fail')} failed, ${n('error')} errors, ${n('skip')} skipped`);

  const outcome = runOutcome(metas, { strict: opts.strict, runErrors: opts.runErrors ?? [] });
  for (const problem of opts.runErrors ?? []) out.push(paint('magenta', `run error: ${problem}`));
  out.push(
    outcome.exitCode === 0
      ? paint(['green', 'bold'], `GATE PASSED: ${outcome.reason}`)
      : paint(['red', 'bold'], `GATE FAILED: ${outcome.reason}`),
  );
  return `${out.join('\n')}\n`;
}

function checkLines(m: CheckMeta, paint: (style: Style, text: string) => string): string[] {
  const mark = marks[m.status];
  const advisory = m.level === 'advisory' ? paint('dim', ' (advisory)') : '';
  const lines = [`    ${paint(mark.style, mark.text)} ${m.id}  ${m.title}${advisory}`];
  // Continuation lines line up under the value so multi-line evidence stays readable.
  const detail = (label: string, value: string) =>
    `            ${paint('dim', label.padEnd(9))} ${value.replace(/\r?\n/g, `\n${' '.repeat(22)}`)}`;
  if (m.status === 'fail' || m.status === 'error') {
    if (m.message) lines.push(detail(m.status === 'fail' ? 'problem' : 'why', m.message));
    lines.push(detail('expected', m.expected), detail('actual', m.actual), detail('source', m.source));
    lines.push(detail('fix', m.remediation));
  } else if (m.status === 'skip') {
    lines.push(detail('reason', m.message || 'skipped'));
  }
  return lines;
}
