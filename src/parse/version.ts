// Reads containerd, ctr and runc version output into semver, and places a version against per-line floors:
// distributions decorate versions (1.6.20~ds1, 1.1.12-0ubuntu2, v2.1.9) and those must compare as upstream.
import semver, { type SemVer } from 'semver';

/**
 * The upstream version inside a packaged version string, or undefined.
 * `~…` and `+…` are Debian repack/build tags and `-<digit>…` a Debian revision: dropped.
 * `-rc.1`, `-beta.2` are upstream pre-releases: kept, so 2.2.0-rc.1 stays below 2.2.0.
 */
export function toSemver(raw: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(raw.trim());
  if (!m) return undefined;
  const [, major, minor, patch = '0', rest = ''] = m;
  const pre = /^-((?:alpha|beta|rc|pre|dev)[0-9A-Za-z.]*)/i.exec(rest);
  const text = `${major}.${minor}.${patch}${pre ? `-${pre[1]}` : ''}`;
  return semver.parse(text) ?? undefined;
}

export interface ParsedVersion {
  readonly version: SemVer;
  /** The token as the tool printed it, e.g. "1.6.20~ds1". */
  readonly raw: string;
}

const versionToken = /^v?\d+\.\d+(\.\d+)?\S*$/;

/** `containerd --version`: "containerd <module or package> <version> [<revision>]". */
export function parseContainerdVersion(stdout: string): ParsedVersion | undefined {
  for (const line of stdout.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (tokens[0] !== 'containerd') continue;
    for (const token of tokens.slice(1)) {
      if (!versionToken.test(token)) continue;
      const version = toSemver(token);
      if (version) return { version, raw: token };
    }
  }
  return undefined;
}

/** `ctr version`: the Version line of one section ("Client:" or "Server:"). */
export function parseCtrVersion(stdout: string, section: 'Client' | 'Server'): ParsedVersion | undefined {
  let inSection = false;
  for (const line of stdout.split('\n')) {
    const header = /^(\w+):\s*$/.exec(line.trim());
    if (header && !/^\s/.test(line)) {
      inSection = header[1] === section;
      continue;
    }
    const m = /^\s*Version:\s*(\S+)/.exec(line);
    if (inSection && m?.[1]) {
      const version = toSemver(m[1]);
      return version ? { version, raw: m[1] } : undefined;
    }
  }
  return undefined;
}

/** `runc --version`: first line "runc version <version>". */
export function parseRuncVersion(stdout: string): ParsedVersion | undefined {
  const m = /^runc version (\S+)/m.exec(stdout);
  if (!m?.[1]) return undefined;
  const version = toSemver(m[1]);
  return version ? { version, raw: m[1] } : undefined;
}

/** A release line "major.minor" of a version. */
export const releaseLine = (v: SemVer): string => `${v.major}.${v.minor}`;

export type FloorCheck =
  | { readonly kind: 'at-or-above'; readonly line: string; readonly floor: string }
  | { readonly kind: 'below'; readonly line: string; readonly floor: string }
  | { readonly kind: 'older-than-every-line'; readonly line: string; readonly oldest: string }
  | { readonly kind: 'newer-than-every-line'; readonly line: string; readonly newest: string }
  | { readonly kind: 'no-floor'; readonly line: string; readonly below: string; readonly above: string };

const lineVersion = (line: string): SemVer => semver.coerce(line) ?? new semver.SemVer('0.0.0');

/** Place `version` against floors keyed by release line ("1.7" → "1.7.29"). `floors` must not be empty. */
export function checkFloor(version: SemVer, floors: Readonly<Record<string, string>>): FloorCheck {
  const line = releaseLine(version);
  const floor = floors[line];
  if (floor !== undefined) {
    const min = toSemver(floor);
    if (!min) throw new Error(`floor ${floor} of line ${line} is not a version`);
    return semver.gte(version, min) ? { kind: 'at-or-above', line, floor } : { kind: 'below', line, floor };
  }
  const lines = Object.keys(floors).sort((a, b) => semver.compare(lineVersion(a), lineVersion(b)));
  const oldest = lines[0];
  const newest = lines[lines.length - 1];
  if (oldest === undefined || newest === undefined) throw new Error('no version floors in the profile');
  const here = lineVersion(line);
  if (semver.lt(here, lineVersion(oldest))) return { kind: 'older-than-every-line', line, oldest };
  if (semver.gt(here, lineVersion(newest))) return { kind: 'newer-than-every-line', line, newest };
  const below = lines.filter((l) => semver.lt(lineVersion(l), here)).pop() ?? oldest;
  const above = lines.find((l) => semver.gt(lineVersion(l), here)) ?? newest;
  return { kind: 'no-floor', line, below, above };
}
