// Quoting for values that reach the node's shell: the only way profile or node values enter a script.
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error(`cannot pass a NUL byte to a shell: ${JSON.stringify(value)}`);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
