// Parses `systemctl list-units --plain --no-legend` and `list-unit-files --no-legend` rows.

export interface UnitRow {
  readonly unit: string;
  readonly load: string;
  readonly active: string;
  readonly sub: string;
}

export interface UnitFileRow {
  readonly unit: string;
  readonly state: string;
}

/** Rows may start with a "●" marker for failed or not-found units even with --plain. */
function fields(line: string): string[] {
  const f = line.trim().split(/\s+/);
  if (f[0] === '●' || f[0] === '*') f.shift();
  return f;
}

export function parseListUnits(text: string): UnitRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(fields)
    .filter((f) => f.length >= 4)
    .map(([unit = '', load = '', active = '', sub = '']) => ({ unit, load, active, sub }));
}

export function parseListUnitFiles(text: string): UnitFileRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/unit files listed\.$/.test(l.trim()))
    .map(fields)
    .filter((f) => f.length >= 2)
    .map(([unit = '', state = '']) => ({ unit, state }));
}
