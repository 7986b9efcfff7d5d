// Parses /proc/modules and modules.builtin into module names, with '-' and '_' treated alike as modprobe does.

export function moduleKey(name: string): string {
  return name.replace(/-/g, '_');
}

/** Names of loaded modules: the first field of each /proc/modules line. */
export function parseProcModules(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const name = line.trim().split(/\s+/)[0];
    if (name) out.add(moduleKey(name));
  }
  return out;
}

export interface ModulesBuiltin {
  /** Path of the modules.builtin read, or null when the probe found none. */
  readonly source: string | null;
  readonly modules: ReadonlySet<string>;
}

/** The `modules-builtin` probe output: `# source: PATH` then lines like kernel/fs/overlayfs/overlay.ko. */
export function parseModulesBuiltin(text: string): ModulesBuiltin {
  const lines = text.split('\n');
  const header = /^# source:\s*(.*)$/.exec(lines[0]?.trim() ?? '');
  const src = header?.[1]?.trim() ?? '';
  const modules = new Set<string>();
  for (const raw of lines.slice(header ? 1 : 0)) {
    const m = /([^/\s]+)\.ko(?:\.[a-z]+)?$/.exec(raw.trim());
    if (m?.[1]) modules.add(moduleKey(m[1]));
  }
  return { source: src === '' || src === 'none' ? null : src, modules };
}

/** Filesystem types the kernel can mount now, from /proc/filesystems ("nodev\toverlay"). */
export function parseProcFilesystems(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[fields.length - 1];
    if (name) out.add(name);
  }
  return out;
}
