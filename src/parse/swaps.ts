// Parses /proc/swaps: a header line, then one line per active swap area.

export interface SwapArea {
  readonly filename: string;
  readonly type: string;
  readonly sizeKiB: number;
  readonly raw: string;
}

export function parseProcSwaps(text: string): SwapArea[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Filename\s/.test(l))
    .map((raw) => {
      const [filename = '', type = '', size = '0'] = raw.trim().split(/\s+/);
      return { filename: filename.replace(/\\040/g, ' '), type, sizeKiB: Number(size), raw: raw.trim() };
    });
}
