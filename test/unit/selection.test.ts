// The one --only/--skip rule (src/run/selection.ts) that the suites' tests (declare-checks) and both live runs use.
import { describe, expect, test } from 'vitest';
import { everything, isSelected } from '../../src/run/selection.ts';

describe('isSelected', () => {
  test('no --only, no --skip: every ID', () => {
    expect(['HOST-1.2.2', 'RES-6.2.3', 'anything'].map((id) => isSelected(everything, id))).toEqual([true, true, true]);
  });

  test('--only: exactly the IDs it lists (settings.ts has already expanded prefixes)', () => {
    const s = { only: ['RES-6.2.3', 'HOST-1.2.2'], skip: [] };
    expect(['RES-6.2.3', 'HOST-1.2.2', 'RES-6.2.1', 'RES-6.2'].map((id) => isSelected(s, id))).toEqual([true, true, false, false]);
  });

  test('--skip: everything but the IDs it lists, and it wins over --only', () => {
    expect(isSelected({ only: [], skip: ['RES-6.2.1'] }, 'RES-6.2.1')).toBe(false);
    expect(isSelected({ only: [], skip: ['RES-6.2.1'] }, 'RES-6.2.3')).toBe(true);
    expect(isSelected({ only: ['RES-6.2.1', 'RES-6.2.3'], skip: ['RES-6.2.1'] }, 'RES-6.2.1')).toBe(false);
    expect(isSelected({ only: ['RES-6.2.1', 'RES-6.2.3'], skip: ['RES-6.2.1'] }, 'RES-6.2.3')).toBe(true);
  });
});
