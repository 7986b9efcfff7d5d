// Octal permission modes as numbers: "this mode or stricter" is a bit test, never a string comparison.

/** "0660", "660" or "4755" → its permission bits; throws on anything else. */
export function parseMode(text: string): number {
  if (!/^0?[0-7]{3,4}$/.test(text)) throw new Error(`"${text}" is not an octal mode such as "0660"`);
  return Number.parseInt(text, 8);
}

/** Four-digit octal, as `stat -c %a` would print it padded: 0o660 → "0660". */
export const formatMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** Bits `mode` grants beyond `allowed`; 0 means mode is allowed or stricter. */
export const bitsBeyond = (mode: number, allowed: number): number => mode & 0o7777 & ~allowed;
