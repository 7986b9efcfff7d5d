// Compiles probe requests into one POSIX sh script, so a whole node is read in a single exec round trip.
import type { ProbeRequest } from './requirements.ts';
import { shellQuote } from './shell-quote.ts';

/**
 * Output protocol: records, each opened by "\n<marker> <kind> <key>\n" and closed by the next marker, so every
 * body is byte-exact. Kinds: F file (stat line + content), S stat, D dir listing, C command (rc line + stdout),
 * E its stderr, K sysctl, I identity. The marker carries a random nonce so file contents cannot forge a record.
 */
const prelude = String.raw`
set +e
umask 077
LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH
T=$(mktemp -d 2>/dev/null || echo /tmp/nodegate.$$) ; mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
ng_rec() { printf '\n%s %s %s\n' "$NG" "$1" "$2"; }
ng_statline() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo missing; return 1; fi
  if ! s=$(stat -L -c '%F|%a|%u|%g|%s' -- "$1" 2>&1); then echo "unreadable|$s" | head -n 1; return 1; fi
  l=; [ -L "$1" ] && l=$(readlink -- "$1")
  echo "present|$s|$l"
}
ng_file() {
  ng_rec F "$1"
  line=$(ng_statline "$1") || { echo "$line"; return; }
  case $line in
    'present|regular file|'*|'present|regular empty file|'*)
      if [ "$2" = secret ]; then
        if h=$(sha256sum < "$1" 2>&1); then echo "$line"; set -- $h; echo "sha256 $1"; else echo "unreadable|$h" | head -n 1; fi
      elif cat -- "$1" > "$T/f" 2> "$T/e"; then echo "$line"; cat "$T/f"
      else echo "unreadable|$(head -n 1 "$T/e")"; fi ;;
    *) echo "$line" ;;
  esac
}
ng_stat() { ng_rec S "$1"; ng_statline "$1"; }
ng_dir() {
  ng_rec D "$1"
  if [ ! -d "$1" ]; then echo missing; return; fi
  echo present
  for f in "$1"/$2; do { [ -e "$f" ] || [ -L "$f" ]; } && basename -- "$f"; done
  for f in "$1"/$2; do { [ -e "$f" ] || [ -L "$f" ]; } && ng_file "$f"; done
}
ng_run() {
  name=$1; shift; to=$1; shift
  if ! command -v "$1" >/dev/null 2>&1; then ng_rec C "$name"; echo notfound; ng_rec E "$name"; echo "$1: command not found"; return; fi
  if command -v timeout >/dev/null 2>&1; then timeout -k 2 "$to" "$@" > "$T/o" 2> "$T/e" < /dev/null; rc=$?
  else "$@" > "$T/o" 2> "$T/e" < /dev/null; rc=$?; fi
  ng_rec C "$name"
  if [ "$rc" = 124 ]; then echo timeout; else echo "rc $rc"; cat "$T/o"; fi
  ng_rec E "$name"; cat "$T/e"
}
ng_needs_systemd() {
  [ -d /run/systemd/system ] && return 0
  ng_rec C "$1"; echo "skipped systemd is not PID 1 on this node"; ng_rec E "$1"; return 1
}
ng_needs_socket() {
  [ -S "$2" ] && return 0
  ng_rec C "$1"; echo "skipped no unix socket at $2"; ng_rec E "$1"; return 1
}
ng_sysctl() {
  ng_rec K "$1"
  if [ ! -e "$2" ]; then echo missing
  elif v=$(cat -- "$2" 2>&1); then echo present; printf '%s' "$v"
  else echo "unreadable|$v" | head -n 1; fi
}
ng_rec I identity
echo "uid $(id -u)"
if [ -d /run/systemd/system ]; then echo "systemd yes"; else echo "systemd no"; fi
if [ -n "$SUDO_USER" ]; then echo "sudo yes"; else echo "sudo no"; fi
`;

const sysctlKey = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;
const globPattern = /^[A-Za-z0-9_.*?\-]+$/;

/** The /proc/sys path of a sysctl key (dots are separators; a slash form is accepted too). */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.replaceAll('.', '/')}`;
}

function line(request: ProbeRequest): string {
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
    case 'script':
      return `ng_run ${shellQuote(request.name)} 10 sh -c ${shellQuote(request.script)}`;
    case 'sysctl':
      if (!sysctlKey.test(request.key)) throw new Error(`not a sysctl key: ${request.key}`);
      return `ng_sysctl ${shellQuote(request.key)} ${shellQuote(sysctlPath(request.key))}`;
  }
}

export interface ProbeScript {
  readonly marker: string;
  readonly text: string;
}

export function compileProbe(requests: readonly ProbeRequest[], nonce: string): ProbeScript {
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce)) throw new Error('probe nonce must be 8+ alphanumerics');
  const marker = `@@nodegate-${nonce}`;
  const text = [`NG=${marker}`, prelude, ...requests.map(line), 'exit 0', ''].join('\n');
  return { marker, text };
}
