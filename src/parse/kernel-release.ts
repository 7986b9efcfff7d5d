// Parses `uname -r` strings (6.8.0-45-generic, 5.10.0-28-amd64, 6.18.44-fc-v595) into comparable numbers.

export type KernelVersion = readonly [number, number, number];

/** The leading major.minor[.patch]; distribution suffixes are ignored. */
export function parseKernelRelease(release: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
