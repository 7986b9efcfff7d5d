// Compiles probe requests into one POSIX sh script, so a whole node is read in a single exec round trip.
import type { ProbeRequest } from './requirements.ts';
import { shellQuote } from './shell-quote.ts';

/**
 * Output protocol: records, each opened by "\n<marker> <kind> <key>\n" and closed by the next marker, so every
 * body is byte-exact. Kinds: I identity; F file (stat line, then content), S stat, X a read that failed midway;
 * D dir listing; C command stdout, R its status (rc N, timeout, notfound, skipped why), E its stderr; K sysctl.
 * The marker carries a random nonce so file contents cannot forge a record; names cannot either: a listed name or
 * a symlink target with a control character (a newline would end the record header and start a forged stat line)
 * is never printed raw nor read — the name goes out once, control characters shown as "?", in its own U record
 * (unsafe entry, keyed by the directory), which the parser turns into an unreadable fact. Forks are what a probe
 * costs on a node (and twenty lab nodes share two cores), so every helper avoids subshells and extra processes.
 */
const prelude = String.raw`
set +e
umask 077
LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH
# No fallback name: a predictable one (the pid under /tmp) lets any local user plant a symlink where root writes.
T=$(mktemp -d 2>/dev/null)
if [ -z "$T" ] || [ ! -d "$T" ]; then echo "nodegate probe: mktemp -d failed, refusing a predictable temporary directory" >&2; exit 97; fi
trap 'rm -rf "$T"' EXIT
NG_TIMEOUT=; command -v timeout >/dev/null 2>&1 && NG_TIMEOUT=1
ng_rec() { printf '
%s %s %s
' "$NG" "$1" "$2"; }
ng_file() {
  ng_rec F "$1"
  ng_statline "$1" || return
  [ -f "$1" ] || return
  if [ "$2" = secret ]; then printf 'sha256 '; sha256sum < "$1" 2>"$T/e" || { ng_rec X "$1"; head -n 1 "$T/e"; }
  else cat -- "$1" 2>"$T/e" || { ng_rec X "$1"; head -n 1 "$T/e"; }; fi
}
ng_stat() { ng_rec S "$1"; ng_statline "$1"; }
ng_status() { ng_rec R "$1"; echo "$2"; ng_rec E "$1"; [ -z "$3" ] || echo "$3"; }
ng_run() {
  name=$1; shift; to=$1; shift
  ng_rec C "$name"
  if ! command -v "$1" >/dev/null 2>&1; then ng_status "$name" notfound "$1: command not found"; return; fi
  if [ -n "$NG_TIMEOUT" ]; then timeout -k 2 "$to" "$@" 2> "$T/e" < /dev/null; else "$@" 2> "$T/e" < /dev/null; fi
  rc=$?
  ng_rec R "$name"
  if [ "$rc" = 124 ] && [ -n "$NG_TIMEOUT" ]; then echo timeout; else echo "rc $rc"; fi
  ng_rec E "$name"; [ ! -s "$T/e" ] || cat "$T/e"
}
ng_needs_systemd() {
  [ -d /run/systemd/system ] && return 0
  ng_rec C "$1"; ng_status "$1" "skipped systemd is not PID 1 on this node"; return 1
}
ng_needs_socket() {
  [ -S "$2" ] && return 0
  ng_rec C "$1"; ng_status "$1" "skipped no unix socket at $2"; return 1
}
ng_sysctl() {
  ng_rec K "$1"
  if [ ! -e "$2" ]; then echo missing
  elif [ ! -r "$2" ]; then echo 'unreadable|permission denied'
  else echo present; cat -- "$2" 2>/dev/null; fi
}
ng_rec I identity
echo "uid $(id -u)"
if [ -d /run/systemd/system ]; then echo "systemd yes"; else echo "systemd no"; fi
if [ -n "$SUDO_USER" ]; then echo "sudo yes"; else echo "sudo no"; fi
` +
  // Written as a plain template: String.raw cannot hold the parameter expansions that save a basename per entry
  // and strip a symlink target.
  `
ng_statline() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo missing; return 1; fi
  l=
  if [ -L "$1" ]; then
    # The "." keeps a trailing newline of the target from being eaten by $(...); the second strip drops readlink's own.
    l=$(readlink -- "$1"; echo .); l=\${l%.}; l=\${l%?}
    case $l in *[[:cntrl:]]*) echo 'unreadable|its symlink target contains a control character: not read, so it cannot forge probe records'; return 1;; esac
  fi
  if stat -L --printf 'present|%F|%a|%u|%g|%s|' -- "$1" 2>"$T/e"; then
    printf '%s\n' "$l"
    return 0
  fi
  printf 'unreadable|'; head -n 1 "$T/e"; return 1
}
ng_dir() {
  ng_rec D "$1"
  if [ ! -d "$1" ]; then echo missing; return; fi
  echo present
  for f in "$1"/$2; do
    { [ -e "$f" ] || [ -L "$f" ]; } || continue
    case \${f##*/} in *[[:cntrl:]]*) ;; *) printf '%s\n' "\${f##*/}";; esac
  done
  for f in "$1"/$2; do
    { [ -e "$f" ] || [ -L "$f" ]; } || continue
    case \${f##*/} in
      *[[:cntrl:]]*) ng_rec U "$1"; printf '%s' "\${f##*/}" | tr '[:cntrl:]' '?'; echo;;
      *) ng_file "$f";;
    esac
  done
}
`;

const sysctlKey = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;
const controlCharacter = /[\u0000-\u001f\u007f]/;

/**
 * A path the probe can put in a record header. Paths of the second round come from the node (the kubelet's
 * flags, EnvironmentFile= lines), so one with a control character is not sent: the parser records it as
 * unreadable instead, and no record can be forged through it.
 */
export function framablePath(path: string): boolean {
  return !controlCharacter.test(path);
}

/** The paths and names a record may carry: the parser accepts nothing else (besides a listed directory's entries). */
export interface ProbeKeys {
  readonly files: ReadonlySet<string>;
  readonly dirs: ReadonlySet<string>;
  readonly commands: ReadonlySet<string>;
  readonly sysctls: ReadonlySet<string>;
  /** Requested file and stat paths the probe did not send because they cannot be framed. */
  readonly unframable: readonly string[];
}
const globPattern = /^[A-Za-z0-9_.*?\-]+$/;

/** The /proc/sys path of a sysctl key (dots are separators; a slash form is accepted too). */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.replaceAll('.', '/')}`;
}

function line(request: ProbeRequest): string {
  if ((request.kind === 'file' || request.kind === 'stat' || request.kind === 'dir') && !framablePath(request.path)) return '';
  switch (request.kind) {
    case 'file':
      return `ng_file ${shellQuote(request.path)} ${request.secret ? 'secret' : 'plain'}`;
    case 'stat':
      return `ng_stat ${shellQuote(request.path)}`;
    case 'dir':
      if (!globPattern.test(request.glob)) throw new Error(`unsafe glob for ${request.path}: ${request.glob}`);
      return `ng_dir ${shellQuote(request.path)} ${shellQuote(request.glob).slice(1, -1)}`;
    case 'command':
      return `${request.needsSystemd ? `ng_needs_systemd ${shellQuote(request.name)} && ` : ''}${
        request.needsSocket ? `ng_needs_socket ${shellQuote(request.name)} ${shellQuote(request.needsSocket)} && ` : ''
      }ng_run ${shellQuote(request.name)} ${request.timeoutSeconds ?? 10} ${request.argv.map(shellQuote).join(' ')}`;
    case 'script': {
      const run = `ng_run ${shellQuote(request.name)} 10 sh -c ${shellQuote(request.script)}`;
      if (!request.requires) return run;
      const name = shellQuote(request.name);
      const program = shellQuote(request.requires);
      return `if command -v ${program} >/dev/null 2>&1; then ${run}; else ng_rec C ${name}; ng_status ${name} notfound ${shellQuote(`${request.requires}: command not found`)}; fi`;
    }
    case 'sysctl':
      if (!sysctlKey.test(request.key)) throw new Error(`not a sysctl key: ${request.key}`);
      return `ng_sysctl ${shellQuote(request.key)} ${shellQuote(sysctlPath(request.key))}`;
  }
}

export interface ProbeScript {
  readonly marker: string;
  readonly text: string;
  readonly keys: ProbeKeys;
}

function keysOf(requests: readonly ProbeRequest[]): ProbeKeys {
  const files = new Set<string>();
  const dirs = new Set<string>();
  const commands = new Set<string>();
  const sysctls = new Set<string>();
  const unframable: string[] = [];
  for (const r of requests) {
    if (r.kind === 'command' || r.kind === 'script') {
      // Names are this repository's constants; one that cannot be framed is a bug here, not on the node.
      if (!framablePath(r.name)) throw new Error(`probe command name cannot be framed: ${JSON.stringify(r.name)}`);
      commands.add(r.name);
    } else if (r.kind === 'sysctl') sysctls.add(r.key);
    else if (!framablePath(r.path)) {
      // A directory has no unreadable state: left unlisted, every check that needs it says it was not listed.
      if (r.kind !== 'dir') unframable.push(r.path);
    } else (r.kind === 'dir' ? dirs : files).add(r.path);
  }
  return { files, dirs, commands, sysctls, unframable };
}

export function compileProbe(requests: readonly ProbeRequest[], nonce: string): ProbeScript {
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce)) throw new Error('probe nonce must be 8+ alphanumerics');
  const marker = `@@nodegate-${nonce}`;
  const keys = keysOf(requests);
  const text = [`NG=${marker}`, prelude, ...requests.map(line).filter((l) => l !== ''), 'exit 0', ''].join('\n');
  return { marker, text, keys };
}
