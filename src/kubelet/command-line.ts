// The kubelet's command line: the running process's argv when there is one, else the one systemd would run,
// with each argument traced back (when systemd built it) to the unit file or env file that supplied it.
import type { NodeFacts } from '../facts/types.ts';
import { kubeletCmd } from './paths.ts';
import { parseKubeletArgs, type ParsedArgs } from './flags.ts';
import type { KubeletService, Origin } from './systemd-unit.ts';

export interface CommandLine {
  readonly origin: 'process' | 'systemd';
  /** Where it was read: "/proc/812/cmdline" or "systemd: <unit file> + drop-ins". */
  readonly source: string;
  readonly pid?: number;
  /** Other kubelet processes found (a node normally has one). */
  readonly otherPids: readonly number[];
  /** Arguments after the kubelet binary. */
  readonly args: readonly string[];
  /** Per argument: the file (and variable) that supplied it, when systemd's expansion explains it. */
  readonly origins: readonly (Origin | undefined)[];
  readonly parsed: ParsedArgs;
}

export interface ProcessRead {
  readonly state: 'running' | 'not-running' | 'unknown';
  readonly why?: string;
  readonly pid?: number;
  readonly otherPids: readonly number[];
  readonly argv: readonly string[];
}

/** The probe's "# pid: N" sections, each followed by one argument per line and a closing blank line. */
export function readKubeletProcess(facts: NodeFacts): ProcessRead {
  const c = facts.commands[kubeletCmd.cmdline];
  if (c === undefined) return { state: 'unknown', why: 'the probe did not look for a kubelet process', otherPids: [], argv: [] };
  if (c.state !== 'ran') return { state: 'unknown', why: `looking for the kubelet process failed (${c.state})`, otherPids: [], argv: [] };
  const sections: { pid: number; argv: string[] }[] = [];
  let cur: { pid: number; lines: string[] } | null = null;
  const close = (): void => {
    if (!cur) return;
    const lines = [...cur.lines];
    // tr leaves a newline after the last NUL, then `echo` adds one: two trailing empty lines.
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines[lines.length - 1] === '') lines.pop();
    sections.push({ pid: cur.pid, argv: lines });
  };
  for (const line of c.stdout.split('\n')) {
    const m = /^# pid: (\d+|none)$/.exec(line);
    if (m) {
      close();
      cur = m[1] === 'none' ? null : { pid: Number(m[1]), lines: [] };
      continue;
    }
    cur?.lines.push(line);
  }
  close();
  const first = sections[0];
  if (!first) return { state: 'not-running', otherPids: [], argv: [] };
  return { state: 'running', pid: first.pid, otherPids: sections.slice(1).map((s) => s.pid), argv: first.argv };
}

/** Arguments after the binary: a shebang stand-in shows "/bin/sh /usr/bin/kubelet ..." in argv. */
function afterBinary(argv: readonly string[]): string[] {
  const at = argv.findIndex((w) => /(^|\/)kubelet$/.test(w));
  return argv.slice(at < 0 ? 1 : at + 1);
}

export function kubeletCommandLine(facts: NodeFacts, service: KubeletService): { line: CommandLine | null; why?: string } {
  const proc = readKubeletProcess(facts);
  const unitArgs = afterBinary(service.argv.map((w) => w.word));
  const unitOrigins = service.argv.slice(service.argv.length - unitArgs.length).map((w) => w.origin);
  if (proc.state === 'running') {
    const args = afterBinary(proc.argv);
    // Attribute each running argument to the unit's expansion of the same word, when the unit still explains it.
    const pool = unitArgs.map((w, i) => ({ w, o: unitOrigins[i], used: false }));
    const origins = args.map((a) => {
      const hit = pool.find((p) => !p.used && p.w === a);
      if (!hit) return undefined;
      hit.used = true;
      return hit.o;
    });
    return {
      line: { origin: 'process', source: `/proc/${proc.pid}/cmdline`, ...(proc.pid !== undefined ? { pid: proc.pid } : {}), otherPids: proc.otherPids, args, origins, parsed: parseKubeletArgs(args) },
    };
  }
  if (service.execStart === null) {
    const state = proc.state === 'unknown' ? `the kubelet process could not be read (${proc.why})` : 'no kubelet process is running';
    return { line: null, why: `${state} and no kubelet.service unit defines ExecStart=${service.unknown.length ? ` (${service.unknown.join('; ')})` : ''}` };
  }
  const files = [service.fragment?.path, ...service.dropIns.map((d) => d.path)].filter((p): p is string => p !== undefined);
  return {
    line: {
      origin: 'systemd',
      source: `systemd unit (not running): ${files.join(' + ')}`,
      otherPids: [],
      args: unitArgs,
      origins: unitOrigins,
      parsed: parseKubeletArgs(unitArgs),
    },
  };
}

/** "KUBELET_EXTRA_ARGS from /etc/default/kubelet:1" — how a person finds where a flag came from. */
export function describeOrigin(o: Origin | undefined): string {
  if (!o) return '';
  const at = `${o.file}${o.line !== undefined ? `:${o.line}` : ''}`;
  return o.variable ? `$${o.variable} from ${at}` : at;
}
