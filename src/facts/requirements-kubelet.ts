// What the kubelet checks need from a node, in two probe rounds: round one reads the fixed places (process,
// unit, drop-ins, env files, config.yaml); round two reads what round one named (--config, --config-dir,
// --kubeconfig, the client CA, extra EnvironmentFile= files).
import type { Profile } from '../profile/schema.ts';
import type { NodeFacts } from './types.ts';
import type { DirRequest, FileRequest, ProbeRequest, StatRequest } from './requirements.ts';
import { kubeletFlagFiles } from '../kubelet/effective.ts';
import { debianPackageName, kubeletCmd, kubeletDropInDirs, kubeletPaths, kubeletUnitFiles } from '../kubelet/paths.ts';
import { unitStateScript } from '../kubelet/systemd-state.ts';

export { kubeletCmd, kubeletDropInDirs, kubeletPaths, kubeletUnitFiles, unitDirs } from '../kubelet/paths.ts';

/**
 * Every kubelet process's pid and argv, one argument per line (cmdline is NUL-separated), matched by the
 * process name the kernel keeps in comm; a stand-in run through a shebang shows its interpreter first.
 */
export const kubeletCmdlineScript = [
  'found=0',
  'for d in /proc/[0-9]*; do',
  // read is a builtin: a subshell and cat per process would cost two forks for every process on the node.
  '  comm=; read -r comm < "$d/comm" 2>/dev/null; [ "$comm" = kubelet ] || continue',
  '  [ -r "$d/cmdline" ] || continue',
  '  found=1; echo "# pid: ${d#/proc/}"',
  "  tr '\\000' '\\n' < \"$d/cmdline\"; echo",
  'done',
  '[ "$found" = 1 ] || echo "# pid: none"',
].join('\n');

/** Round one: fixed places, no dependency on what the node says. */
export function kubeletRequests(profile: Profile): ProbeRequest[] {
  return [
    { kind: 'script', name: kubeletCmd.cmdline, script: kubeletCmdlineScript },
    {
      kind: 'command',
      name: kubeletCmd.show,
      argv: ['systemctl', 'show', 'kubelet', '--no-pager', '-p', 'FragmentPath', '-p', 'DropInPaths', '-p', 'ExecStart', '-p', 'EnvironmentFiles', '-p', 'Environment', '-p', 'ActiveState', '-p', 'UnitFileState', '-p', 'MainPID'],
      needsSystemd: true,
    },
    { kind: 'script', name: kubeletCmd.state, requires: 'systemctl', script: unitStateScript('kubelet') },
    { kind: 'command', name: kubeletCmd.active, argv: ['systemctl', 'is-active', 'kubelet'], needsSystemd: true },
    { kind: 'command', name: kubeletCmd.enabled, argv: ['systemctl', 'is-enabled', 'kubelet'], needsSystemd: true },
    { kind: 'command', name: kubeletCmd.journal, argv: ['journalctl', '-u', 'kubelet', '-n', '20', '--no-pager', '-o', 'short-iso'], needsSystemd: true },
    ...kubeletUnitFiles.map((path): FileRequest => ({ kind: 'file', path })),
    ...kubeletDropInDirs.map((path): DirRequest => ({ kind: 'dir', path, glob: '*.conf' })),
    { kind: 'file', path: profile.kubelet.hardeningDropIn },
    { kind: 'file', path: kubeletPaths.etcDefault },
    { kind: 'file', path: kubeletPaths.sysconfig },
    { kind: 'file', path: kubeletPaths.kubeadmFlags },
    { kind: 'file', path: kubeletPaths.config },
    // Each package's selection, install state and version from dpkg's database (what `apt-mark showhold` reads,
    // without its second of start-up): "hi  kubelet 1.31.2-1.1" is held and installed; a package dpkg never saw is
    // named on stderr. The kubelet package's version is the minor the configuration rules follow: the binary itself
    // is not run (`kubelet --version` on a stand-in or wrapper would start it).
    {
      kind: 'command',
      name: kubeletCmd.packages,
      argv: ['dpkg-query', '-W', '-f=${db:Status-Abbrev} ${binary:Package} ${Version}\\n', ...profile.kubelet.heldPackages.filter((p) => debianPackageName.test(p))],
    },
    { kind: 'command', name: kubeletCmd.listeners, argv: ['ss', '-Htlnp'] },
    // Listening sockets without iproute2 (minimal images): the kernel's own tables.
    { kind: 'file', path: kubeletPaths.procNetTcp },
    { kind: 'file', path: kubeletPaths.procNetTcp6 },
    ...profile.kubelet.kubeProxyKubeconfigs.map((path): StatRequest => ({ kind: 'stat', path })),
  ];
}

/** Round two: the files round one's command line and config named, minus what round one already read. */
export function kubeletFollowUps(round1: NodeFacts): ProbeRequest[] {
  const named = kubeletFlagFiles(round1);
  const seen = new Set<string>();
  const out: ProbeRequest[] = [];
  const add = (r: ProbeRequest, key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const path of named.plainFiles) if (round1.files[path] === undefined) add({ kind: 'file', path }, `f:${path}`);
  // Every entry, not only *.conf: a subdirectory is walked by the kubelet, and must be seen to be reported.
  for (const path of named.dirs) if (round1.dirs[path] === undefined) add({ kind: 'dir', path, glob: '*' }, `d:${path}`);
  for (const path of named.secretFiles) if (round1.files[path] === undefined) add({ kind: 'file', path, secret: true }, `f:${path}`);
  for (const path of named.stats) if (round1.files[path] === undefined) add({ kind: 'stat', path }, `f:${path}`);
  return out;
}
