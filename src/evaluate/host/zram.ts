// zram-generator's config as the generator reads it: which [zramN] sections become swap at boot.
import { readFile } from './evidence.ts';

export interface ZramDevice {
  readonly name: string;
  readonly line: number;
  /** Formatted as swap: fs-type=swap, or neither fs-type= nor mount-point= (zram-generator.conf(5), fs-type=). */
  readonly swap: boolean;
  /** Why it is not swap, or why it is never created. */
  readonly note?: string;
}

/**
 * Sections of one zram-generator.conf. Only `[zramN]` sections are devices ("Other sections are ignored"); within a
 * section the last value of a key wins (rust-ini). A device whose zram-size is the literal 0 is discarded ("Devices
 * with the final size of 0 will be discarded"); size expressions over `ram` are not evaluated here.
 */
export function parseZramConfig(text: string): ZramDevice[] {
  const sections: { name: string; line: number; keys: Map<string, string> }[] = [];
  let current: { name: string; line: number; keys: Map<string, string> } | undefined;
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) return;
    const sec = /^\[([^\]]*)\]$/.exec(l);
    if (sec) {
      const name = (sec[1] ?? '').trim();
      current = /^zram\d+$/.test(name) ? { name, line: i + 1, keys: new Map() } : undefined;
      if (current) sections.push(current);
      return;
    }
    const eq = l.indexOf('=');
    if (current && eq > 0) current.keys.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
  });
  return sections.map(({ name, line, keys }) => {
    const mountPoint = keys.get('mount-point');
    const fsType = keys.get('fs-type');
    if (keys.get('zram-size') === '0') return { name, line, swap: false, note: 'zram-size = 0, so the device is discarded' };
    if (fsType !== undefined && fsType !== 'swap') return { name, line, swap: false, note: `fs-type = ${fsType}: a file system, not swap` };
    if (fsType === undefined && mountPoint !== undefined) {
      return { name, line, swap: false, note: `mount-point = ${mountPoint}: formatted as ext2 and mounted, not swap` };
    }
    return { name, line, swap: true };
  });
}

export interface ZramFindings {
  readonly problems: string[];
  readonly notes: string[];
}

/** zram-generator reads the first main config that exists, /run before /etc before /usr/local/lib before /usr/lib. */
export function zramFindings(configs: readonly string[], read: (p: string) => ReturnType<typeof readFile>, unknown: string[]): ZramFindings {
  for (const path of configs) {
    const f = read(path);
    if (f.kind === 'missing') continue;
    if (f.kind === 'unknown') {
      unknown.push(f.reason);
      return { problems: [], notes: [] };
    }
    const devices = parseZramConfig(f.text);
    const swaps = devices.filter((d) => d.swap).map((d) => `[${d.name}] at line ${d.line}`);
    const notes = devices.filter((d) => !d.swap).map((d) => `${path} [${d.name}] at line ${d.line} is not swap (${d.note ?? ''})`);
    const problems = swaps.length > 0 ? [`${path} defines zram swap ${swaps.join(', ')} (remove the file or its device sections)`] : [];
    return { problems, notes };
  }
  return { problems: [], notes: [] };
}
