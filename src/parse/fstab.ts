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

/** Uncommented swap entries, whether or not anything activates them (see swapActivation). */
export function swapEntries(entries: readonly FstabEntry[]): FstabEntry[] {
  return entries.filter((e) => e.vfstype === 'swap');
}

export interface SwapActivation {
  /** util-linux swapon -a: every swap entry "except for those with the noauto option" (swapon(8)), wherever it is. */
  readonly swaponAll: boolean;
  /**
   * systemd-fstab-generator: fstab_test_yes_no_option(opts, "noauto\0" "auto\0") — the last of noauto/auto wins —
   * and add_swap() hooks the generated .swap unit into swap.target only when that says auto.
   */
  readonly systemdBoot: boolean;
}

export function swapActivation(entry: FstabEntry): SwapActivation {
  const opts = entry.options;
  const lastNoauto = opts.lastIndexOf('noauto');
  const lastAuto = opts.lastIndexOf('auto');
  return { swaponAll: lastNoauto < 0, systemdBoot: !(lastNoauto > lastAuto) };
}

/** systemd's fstab_node_to_udev_node(): LABEL=, UUID=, PARTUUID=, PARTLABEL= become /dev/disk/by-* paths. */
function udevNode(spec: string): string {
  const m = /^(LABEL|UUID|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
  if (!m) return spec;
  const tag = (m[1] ?? '').toLowerCase();
  let value = m[2] ?? '';
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
  // xescape_full(value, "/ "): the two characters a path component cannot carry as themselves.
  return `/dev/disk/by-${tag}/${value.replace(/[/ ]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`)}`;
}

/**
 * The .swap unit systemd-fstab-generator writes for an entry: unit_name_from_path() over the udev node — the path
 * simplified, its slashes turned into '-', and every byte outside [A-Za-z0-9:_.] (and a leading '.') as \xNN.
 */
export function swapUnitName(spec: string): string {
  const path = udevNode(spec)
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .join('/');
  if (path === '') return '-.swap';
  let out = '';
  const bytes = Buffer.from(path, 'utf8');
  bytes.forEach((b, i) => {
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if ((i === 0 && c === '.') || !/[A-Za-z0-9:_.]/.test(c) || b > 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += c;
  });
  return `${out}.swap`;
}
