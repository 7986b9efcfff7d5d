// Parses /etc/hosts as glibc's files backend does: `#` starts a comment, blanks separate the address and its names.

export interface HostsLine {
  readonly line: number;
  readonly ip: string;
  readonly names: readonly string[];
}

export function parseHosts(text: string): HostsLine[] {
  const out: HostsLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const [ip = '', ...names] = body.split(/\s+/);
    if (names.length > 0) out.push({ line: i + 1, ip, names });
  });
  return out;
}

export type IpFamily = 4 | 6;

export function ipFamily(ip: string): IpFamily {
  return ip.includes(':') ? 6 : 4;
}

/** Canonical text of an address so 010.000.000.010 and 10.0.0.10 (or IPv6 case) compare equal. */
export function normalizeIp(ip: string): string {
  if (ipFamily(ip) === 6) return ip.toLowerCase();
  const parts = ip.split('.');
  if (parts.length === 4 && parts.every((p) => /^\d+$/.test(p))) return parts.map((p) => String(Number(p))).join('.');
  return ip;
}

/**
 * The line a lookup of `name` in `family` would answer from: glibc returns the first matching line,
 * so a later, correct line does not help when an earlier one (e.g. 127.0.1.1) also carries the name.
 */
export function resolveName(lines: readonly HostsLine[], name: string, family: IpFamily): HostsLine | undefined {
  const wanted = name.toLowerCase();
  return lines.find((l) => ipFamily(l.ip) === family && l.names.some((n) => n.toLowerCase() === wanted));
}
