// JSON.parse with the failure placed at a line and column, since a person fixes a profile in an editor.

export type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly line: number; readonly column: number; readonly reason: string };

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: before.length - nl };
}

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const at = /at position (\d+)/.exec(message);
    // V8 words it "... in JSON at position N (line L column C)"; an empty or truncated text has no position.
    const offset = at?.[1] !== undefined ? Number(at[1]) : text.length;
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    return { ok: false, ...lineColumn(text, offset), reason };
  }
}
