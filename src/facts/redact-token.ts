// The one form a redacted value takes: the secret stays on the node, a change to it stays visible.
import { createHash } from 'node:crypto';

const token = /^<redacted sha256:[0-9a-f]{8}>$/;

/**
 * `<redacted sha256:XXXXXXXX>`: the first 8 hex digits of the value's sha256, enough to see that it changed. A value
 * that already is a token stays as it is, so redacting twice (a snapshot redacted again when it is loaded) changes
 * nothing.
 */
export function redactedToken(value: string): string {
  if (token.test(value)) return value;
  return `<redacted sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8)}>`;
}

/** The newlines of a replaced span, appended after its replacement so every later line keeps its number. */
export function keptNewlines(span: string): string {
  return '\n'.repeat(span.split('\n').length - 1);
}
