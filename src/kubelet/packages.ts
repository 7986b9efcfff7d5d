// dpkg's record of the Kubernetes packages (selection, install state, version), shared by KUBELET-3.1.1 and the
// kubelet version the configuration rules follow.

/** One package as dpkg's database records it. */
export interface PackageState {
  readonly name: string;
  /** The selection: install, hold, deinstall, purge, unknown. */
  readonly want: string;
  /** installed, not-installed, config-files, half-installed, ... */
  readonly status: string;
  /** The package version ("1.31.2-1.1"), when the query printed it. */
  readonly version?: string;
}

const wantNames: Readonly<Record<string, string>> = { u: 'unknown', i: 'install', h: 'hold', r: 'deinstall', p: 'purge' };
const statusNames: Readonly<Record<string, string>> = {
  n: 'not-installed',
  c: 'config-files',
  H: 'half-installed',
  U: 'unpacked',
  F: 'half-configured',
  W: 'triggers-awaited',
  t: 'triggers-pending',
  i: 'installed',
};
/** dpkg counts a package whose triggers are pending as installed: its files are all there. */
export const isInstalled = (status: string): boolean => status === 'installed' || status === 'triggers-awaited' || status === 'triggers-pending';

/** `dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package} ${Version}\n' names...`: "hi  kubelet 1.31.2-1.1"; an arch suffix dropped. */
export function parseDpkgPackages(stdout: string): PackageState[] {
  const out: PackageState[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S)(\S)(.) (\S+)(?: (\S*))?$/.exec(line);
    if (!m?.[1] || !m[2] || !m[4]) continue;
    out.push({ name: m[4].replace(/:[a-z0-9-]+$/, ''), want: wantNames[m[1]] ?? m[1], status: statusNames[m[2]] ?? m[2], ...(m[5] ? { version: m[5] } : {}) });
  }
  return out;
}
