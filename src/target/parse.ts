// Turns the --target flag into a typed spec so a typo fails before any connection is attempted.
import { userInfo } from 'node:os';
import { UsageError } from '../errors.ts';

export type TargetSpec =
  | { readonly kind: 'local' }
  | { readonly kind: 'ssh'; readonly user: string; readonly host: string; readonly port: number };

const accepted = 'accepted forms: "local" or "ssh://user@host[:port]" (IPv6 as ssh://user@[::1]:22)';
const sshPattern = /^ssh:\/\/(?:([^@/?#\s]*)@)?(\[[^\]/]*\]|[^:/?#@\s[\]]*)(?::([^/?#\s]*))?\/?$/i;
const userPattern = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;
const hostnamePattern = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const ipv6Pattern = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;

function bad(text: string, why: string): UsageError {
  return new UsageError(`invalid --target "${text}": ${why}`, accepted);
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // userInfo() throws when the uid has no passwd entry, as in some containers.
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}

export function parseTargetSpec(text: string): TargetSpec {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'local') return { kind: 'local' };
  const authority = trimmed.replace(/^ssh:\/\/(?:[^@/]*@)?/i, '');
  if (/^ssh:\/\//i.test(trimmed) && !authority.startsWith('[') && (authority.match(/:/g)?.length ?? 0) > 1) {
    throw bad(text, 'an IPv6 address needs brackets, as in ssh://user@[fd00::1]:22');
  }
  const m = sshPattern.exec(trimmed);
  if (!m) {
    const why = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^ssh:\/\//i.test(trimmed)
      ? `unsupported scheme "${trimmed.slice(0, trimmed.indexOf(':'))}"`
      : 'not a recognised target';
    throw bad(text, why);
  }
  const [, rawUser, rawHost = '', rawPort] = m;
  const user = rawUser === undefined ? currentUser() : rawUser;
  if (!userPattern.test(user)) throw bad(text, `bad user name "${user}"`);
  let host: string;
  if (rawHost.startsWith('[')) {
    host = rawHost.slice(1, -1);
    if (!host.includes(':') || !ipv6Pattern.test(host)) throw bad(text, `bad IPv6 address "${host}"`);
  } else {
    host = rawHost;
    if (host === '') throw bad(text, 'missing host');
    if (!hostnamePattern.test(host)) throw bad(text, `bad host "${host}"`);
  }
  let port = 22;
  if (rawPort !== undefined) {
    port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
    if (!(port >= 1 && port <= 65535)) throw bad(text, `bad port "${rawPort}" (1-65535)`);
  }
  return { kind: 'ssh', user, host: host.toLowerCase(), port };
}

/** The label shown in reports: always with the port so two targets on one host stay distinct. */
export function targetLabel(spec: TargetSpec): string {
  if (spec.kind === 'local') return 'local';
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return `ssh://${spec.user}@${host}:${spec.port}`;
}
