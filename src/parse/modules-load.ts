// Parses modules-load.d(5) files and Debian's /etc/modules: one module per line, `#` or `;` comments.

export interface ModulesLoadLine {
  readonly line: number;
  readonly module: string;
}

export function parseModulesLoad(text: string): ModulesLoadLine[] {
  const out: ModulesLoadLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const body = raw.trim();
    if (body === '' || body.startsWith('#') || body.startsWith(';')) return;
    // Debian's /etc/modules allows "module arg=value"; the name is the first word.
    const module = body.split(/\s+/)[0];
    if (module) out.push({ line: i + 1, module });
  });
  return out;
}
