// Parses /etc/hosts as the two resolvers a node uses read it: glibc's nss_files and Go's net package (the kubelet).
import { isIPv6 } from 'node:net';

export interface HostsLine {
  readonly line: number;
  /** The address column as written. */
  readonly ip: string;
  readonly names: readonly string[];
  /** The address both resolvers agree on, or why they skip the whole line. */
  readonly address: HostsAddress;
}

export type IpFamily = 4 | 6;

export type HostsAddress =
  | { readonly ok: true; readonly family: IpFamily; readonly canonical: string; readonly loopback: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * IPv4 as glibc's inet_pton4 (resolv/inet_pton.c: exactly four decimal octets; "if (saw_digit && *tp == 0) return 0"
 * rejects a leading zero; "if (new > 255) return 0") and Go's netip.ParseAddr (parseIPv4: "IPv4 field has octet
 * with leading zero", "IPv4 field has value >255") both accept it; neither takes inet_aton's short or hex forms.
 */
function ipv4(text: string): HostsAddress {
  const parts = text.split('.');
  if (parts.length !== 4) return { ok: false, reason: `"${text}" does not have four octets` };
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return { ok: false, reason: `"${text}" has a field that is not a decimal octet` };
    if (p.length > 1 && p.startsWith('0')) return { ok: false, reason: `"${text}" has an octet with a leading zero` };
    if (Number(p) > 255) return { ok: false, reason: `"${text}" has an octet above 255` };
  }
  const canonical = parts.map((p) => String(Number(p))).join('.');
  return { ok: true, family: 4, canonical, loopback: parts[0] === '127' };
}

/** The address column of a line: IPv6 is tried first, as glibc's files-hosts.c parse_line does. */
export function parseHostsAddress(text: string): HostsAddress {
  if (text.includes(':')) {
    // glibc's inet_pton6 takes no zone; Go's ParseAddr does (fe80::1%eth0). Such a line only helps Go, and a
    // link-local address is never the kubelet's node IP, so it is counted as skipped.
    if (text.includes('%')) return { ok: false, reason: `"${text}" carries a zone, which glibc's inet_pton rejects` };
    if (!isIPv6(text)) return { ok: false, reason: `"${text}" is not an IPv6 address` };
    const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
    return { ok: true, family: 6, canonical, loopback: canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(canonical) };
  }
  return ipv4(text);
}

/** `#` starts a comment anywhere on a line (glibc's LINE_PARSER, Go's readHosts); blanks separate fields. */
export function parseHosts(text: string): HostsLine[] {
  const out: HostsLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const [ip = '', ...names] = body.split(/\s+/);
    if (names.length > 0) out.push({ line: i + 1, ip, names, address: parseHostsAddress(ip) });
  });
  return out;
}

export function ipFamily(ip: string): IpFamily {
  return ip.includes(':') ? 6 : 4;
}

/** Canonical text of an address the resolvers accept, else the text itself. */
export function normalizeIp(ip: string): string {
  const a = parseHostsAddress(ip);
  return a.ok ? a.canonical : ip;
}

const hasName = (l: HostsLine, wanted: string): boolean => l.names.some((n) => n.toLowerCase() === wanted);

/**
 * Every address the resolvers return for `name` in `family`, in file order: Go's lookupStaticHost (src/net/hosts.go
 * appends each line's address to byName[lowercased name]) and glibc's getaddrinfo through nss_files'
 * gethostbyname4 both collect every matching line; names compare case-insensitively. Lines whose address neither
 * accepts are left out (they are in `skipped`).
 */
export function hostsAddresses(lines: readonly HostsLine[], name: string, family: IpFamily): { found: HostsLine[]; skipped: HostsLine[] } {
  const wanted = name.toLowerCase();
  const named = lines.filter((l) => hasName(l, wanted));
  return {
    found: named.filter((l) => l.address.ok && l.address.family === family),
    skipped: named.filter((l) => !l.address.ok),
  };
}

/** The first line a gethostbyname-style lookup answers from (glibc without "multi on"). */
export function resolveName(lines: readonly HostsLine[], name: string, family: IpFamily): HostsLine | undefined {
  return hostsAddresses(lines, name, family).found[0];
}
