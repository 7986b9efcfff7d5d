// What containerd's TOML decoders refuse that nodegate's TOML 1.0(+1.1) parser accepts: the TOML 1.1 escapes \x
// (unknown to go-toml v1 and v2) and \e (go-toml v2, containerd 2.x, accepts it: unstable/parser.go), and in go-toml
// v1 (containerd 1.x) a bare local date value.

export interface GoTomlRefusal {
  readonly line: number;
  readonly column: number;
  /** go-toml v1's wording (containerd 1.x prints it after "(line, column): "). */
  readonly message: string;
}

// Only a date that ends its line: after a space go-toml v1 reads on for a time and accepts `1979-05-27 # note`.
const localDate = /^\d{4}-\d{2}-\d{2}(?=\r?\n|$)/;

/**
 * The first construct go-toml rejects, scanning strings and comments the way TOML delimits them. `v1` adds the
 * local-date check (go-toml v1 wants a time after the date: "incorrect date/time separation character").
 */
export function goTomlRefusal(text: string, v1: boolean): GoTomlRefusal | undefined {
  let line = 1;
  let col = 1;
  let i = 0;
  let afterEquals = false;
  const advance = (n: number): void => {
    for (let k = 0; k < n && i < text.length; k++, i++) {
      if (text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') advance(1);
      continue;
    }
    if (text.startsWith("'''", i)) {
      advance(3);
      while (i < text.length && !text.startsWith("'''", i)) advance(1);
      advance(3);
      afterEquals = false;
      continue;
    }
    if (c === "'") {
      advance(1);
      while (i < text.length && text[i] !== "'" && text[i] !== '\n') advance(1);
      advance(1);
      afterEquals = false;
      continue;
    }
    const multi = text.startsWith('"""', i);
    if (c === '"') {
      advance(multi ? 3 : 1);
      // go-toml v1 reports an escape error at the column where the string's text starts.
      const startCol = col;
      const startLine = line;
      while (i < text.length && !(multi ? text.startsWith('"""', i) : text[i] === '"' || text[i] === '\n')) {
        if (text[i] === '\\') {
          const e = text[i + 1] ?? '';
          if (e === 'x' || (v1 && e === 'e')) return { line: startLine, column: startCol, message: `invalid escape sequence: \\${e}` };
          advance(2);
        } else advance(1);
      }
      advance(multi ? 3 : 1);
      afterEquals = false;
      continue;
    }
    if (c === '=') {
      afterEquals = true;
      advance(1);
      continue;
    }
    if (afterEquals && c !== ' ' && c !== '\t') {
      const m = v1 ? localDate.exec(text.slice(i, i + 40)) : null;
      if (m) {
        advance(m[0].length);
        // go-toml v1 prints the offending character, here the end of the line.
        return { line, column: col, message: 'parsing error: incorrect date/time separation character:' };
      }
      afterEquals = false;
    }
    if (c === '\n') afterEquals = false;
    advance(1);
  }
  return undefined;
}
