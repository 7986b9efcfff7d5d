// Parses modules-load.d(5) files as systemd-modules-load reads them: a comment is only a line starting with `#` or `;`.

export interface ModulesLoadLine {
  readonly line: number;
  /**
   * The whole line with surrounding blanks removed: systemd-modules-load (src/modules-load/modules-load.c,
   * apply_file) strips the line and hands all of it to libkmod, so `br_netfilter # k8s` names a module called
   * "br_netfilter # k8s", which does not exist. There are no inline comments and no module arguments.
   */
  readonly module: string;
}

export function parseModulesLoad(text: string): ModulesLoadLine[] {
  const out: ModulesLoadLine[] = [];
  text.split('\n').forEach((raw, i) => {
    // strstrip() removes the blanks systemd's WHITESPACE set holds (space, tab, CR, LF).
    const body = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (body === '' || body.startsWith('#') || body.startsWith(';')) return;
    out.push({ line: i + 1, module: body });
  });
  return out;
}

/** A listed name that is not a module name kmod can resolve because the line carries more than one word. */
export function firstWordIfSeveral(module: string): string | undefined {
  const words = module.split(/[ \t]+/);
  return words.length > 1 ? words[0] : undefined;
}
