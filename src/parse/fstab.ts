// Parses /etc/fstab the way mount(8) and swapon(8) read it: any run of blanks separates fields, tabs included.

export interface FstabEntry {
  /** 1-based line number in the file, for messages that point at the line to edit. */
  readonly line: number;
  readonly spec: string;
  readonly file: string;
  readonly vfstype: string;
  readonly options: readonly string[];
  /** The line as written, so a report can quote it. */
  readonly raw: string;
}

/** fstab(5) escapes blanks inside a field as octal (\040 for a space, \011 for a tab). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/).map(unescape);
    const [spec = '', file = '', vfstype = '', options = 'defaults'] = fields;
    entries.push({ line: i + 1, spec, file, vfstype, options: options.split(','), raw: raw.replace(/\r$/, '') });
  });
  return entries;
}

/** Entries swapon -a (and systemd-fstab-generator) would turn into swap at boot. */
export function swapEntries(entries: readonly FstabEntry[]): FstabEntry[] {
  return entries.filter((e) => e.vfstype === 'swap');
}
