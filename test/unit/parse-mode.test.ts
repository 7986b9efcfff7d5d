// Octal modes compare as bits: "0660 or stricter" must accept 0600 and reject 0666 however they are spelled.
import { describe, expect, it } from 'vitest';
import { bitsBeyond, formatMode, parseMode } from '../../src/parse/mode.ts';

describe('parseMode / formatMode', () => {
  it('reads three and four digit octal', () => {
    expect(parseMode('0660')).toBe(0o660);
    expect(parseMode('660')).toBe(0o660);
    expect(parseMode('4755')).toBe(0o4755);
  });
  it('rejects what is not octal', () => {
    expect(() => parseMode('0968')).toThrow(/not an octal mode/);
    expect(() => parseMode('rw-rw----')).toThrow(/not an octal mode/);
  });
  it('prints four digits', () => {
    expect(formatMode(0o660)).toBe('0660');
    expect(formatMode(0o6)).toBe('0006');
    expect(formatMode(0o104755)).toBe('4755');
  });
});

describe('bitsBeyond', () => {
  it('is zero for the mask itself and anything stricter', () => {
    for (const m of [0o660, 0o600, 0o640, 0o000, 0o620]) expect(bitsBeyond(m, 0o660)).toBe(0);
  });
  it('names the extra bits', () => {
    expect(bitsBeyond(0o666, 0o660)).toBe(0o006);
    expect(bitsBeyond(0o770, 0o660)).toBe(0o110);
    expect(bitsBeyond(0o2660, 0o660)).toBe(0o2000);
  });
});
