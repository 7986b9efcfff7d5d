// Splits /proc/cmdline into the kernel's own parameters: words (a double-quoted value may hold spaces), stopping at
// a lone `--`, after which the words are init's arguments, not the kernel's.

export interface KernelParam {
  readonly name: string;
  /** The text after the first `=`, quotes removed; undefined for a bare word such as `quiet`. */
  readonly value: string | undefined;
}

export function kernelParams(cmdline: string): KernelParam[] {
  const words: string[] = cmdline.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const end = words.indexOf('--');
  return (end === -1 ? words : words.slice(0, end)).map((word) => {
    const at = word.indexOf('=');
    const unquote = (s: string): string => s.replace(/"/g, '');
    return at === -1 ? { name: unquote(word), value: undefined } : { name: unquote(word.slice(0, at)), value: unquote(word.slice(at + 1)) };
  });
}
